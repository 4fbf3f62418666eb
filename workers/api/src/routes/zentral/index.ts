import { createRouter, headerKey, registerSecuritySchemes } from "../../lib/router";
import { taskResultRouter } from "./task-result/task-result.index";
import { tokenExchangeRouter } from "./token-exchange/token-exchange.index";

/** The Zentral core face, mounted at /api (task results, OIDC token exchange). */
export const zentral = createRouter();
zentral.route("/", taskResultRouter).route("/", tokenExchangeRouter);
registerSecuritySchemes(zentral, {
  Token: headerKey("Authorization", "`Token <ztl API token>` (DRF TokenAuthentication; keyword case-insensitive)"),
  Bearer: headerKey("Authorization", "`Bearer <access JWT>` (a Fleetgate session)"),
});

/** `GET /api/openapi.json`: this face's document, generated from the schemas its handlers validate with. */
zentral.doc31("/openapi.json", (c) => ({
  openapi: "3.1.0",
  info: {
    title: "Zentral API (Fleetgate)",
    version: c.env.FLEETGATE_VERSION,
    description:
      "Fleetgate's Zentral-compatible face (see docs/zentral-compat.md): task results and the OIDC token exchange, with Django REST framework's shapes.",
  },
  servers: [{ url: `${new URL(c.req.url).origin}/api` }],
}));
