import { createRouter, registerSecuritySchemes } from "../../lib/router";
import { connectRouter } from "./connect/connect.index";
import { downloadsRouter } from "./downloads/downloads.index";
import { installRouter } from "./install/install.index";
import { openapiRouter } from "./openapi/openapi.index";
import { renewRouter } from "./renew/renew.index";
import { repoRouter } from "./repo/repo.index";

/** Agent-facing endpoints (`/agent/v1/...`), authenticated by certificate-bound proofs. Native error shape; their own document at `/agent/v1/openapi.json`. */
export const agent = createRouter();
registerSecuritySchemes(agent, {
  agentProof: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A certificate-bound proof signed with the host's key (docs/agent-protocol.md §2)",
  },
});
agent
  .route("/", renewRouter)
  .route("/", connectRouter)
  .route("/", downloadsRouter)
  .route("/", installRouter)
  .route("/", repoRouter);

// Last: the served document lists the endpoints' operations in mount order.
agent.route(
  "/",
  openapiRouter(() => agent),
);
