import { createRouter } from "../../lib/router";
import { auditRouter, integrityRouter } from "./audit/audit.index";
import { authRouter } from "./auth/auth.index";
import { groupsRouter } from "./groups/groups.index";
import { mountNativeDocs } from "./openapi";
import { serviceAccountsRouter, tokensRouter } from "./tokens/tokens.index";
import { usersRouter } from "./users/users.index";

/** The native face, mounted at /api/v1. Resource routers are chained here. */
export const v1 = createRouter();
v1.route("/auth", authRouter)
  .route("/users", usersRouter)
  .route("/groups", groupsRouter)
  .route("/tokens", tokensRouter)
  .route("/service-accounts", serviceAccountsRouter)
  .route("/audit", auditRouter)
  .route("/settings", integrityRouter);
mountNativeDocs(v1);
