import { createRouter } from "../../lib/router";
import { taskResultRouter } from "./task-result/task-result.index";
import { tokenExchangeRouter } from "./token-exchange/token-exchange.index";

/** The Zentral core face, mounted at /api (task results, OIDC token exchange). */
export const zentral = createRouter();
zentral.route("/", taskResultRouter).route("/", tokenExchangeRouter);
