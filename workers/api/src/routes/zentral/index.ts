import { createRouter, headerKey, registerSecuritySchemes } from "../../lib/router";
import { openapiRouter } from "./openapi/openapi.index";
import { taskResultRouter } from "./task-result/task-result.index";
import { tokenExchangeRouter } from "./token-exchange/token-exchange.index";

/** The Zentral core face, mounted at /api (task results, OIDC token exchange). */
export const zentral = createRouter();
zentral.route("/", taskResultRouter).route("/", tokenExchangeRouter);
registerSecuritySchemes(zentral, {
  Token: headerKey("Authorization", "`Token <ztl API token>` (DRF TokenAuthentication; keyword case-insensitive)"),
  Bearer: headerKey("Authorization", "`Bearer <access JWT>` (a Fleetgate session)"),
});

// Last: the served document lists the face's operations in mount order.
zentral.route(
  "/",
  openapiRouter(() => zentral),
);
