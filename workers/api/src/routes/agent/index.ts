import { createRouter } from "../../lib/router";
import { connectRouter } from "./connect.index";
import { downloadsRouter } from "./downloads/downloads.index";
import { installRouter } from "./install/install.index";
import { renewRouter } from "./renew.index";
import { repoRouter } from "./repo/repo.index";

/** Agent-facing endpoints (`/agent/v1/...`), authenticated by certificate-bound proofs. Native error shape. */
export const agent = createRouter();
agent
  .route("/", renewRouter)
  .route("/", connectRouter)
  .route("/", downloadsRouter)
  .route("/", installRouter)
  .route("/", repoRouter);
