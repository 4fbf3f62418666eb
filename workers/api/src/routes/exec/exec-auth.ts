import {
  anonymousAllowed,
  authenticate,
  getExecSettings,
  type IdentityRow,
  logAt,
  type Principal,
  UNGROUPED_ONLY,
  type Visibility,
  visibilityOf,
} from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { domain, signIn } from "../../lib/domain-context";
import { clientIpAllowed } from "../../lib/ip-allowlist";
import { allows } from "../../lib/permissions";
import { ExecError } from "./errors";

/**
 * ctrl-exec hands every decision to an auth hook that answers 0 (ok), 1
 * (denied), 2 (bad credentials) or 3 (insufficient privilege); Fleetgate's
 * policy replaces the hook and keeps its answers (ctrl-exec.md §4):
 *  - a `token` is a Fleetgate API token (`ztlu_…`/`ztls_…`) or access JWT;
 *  - run needs write (admin, operator); ping, discovery, status need read;
 *  - without a token, only the actions and source addresses the admin opened
 *    in `/api/v1/settings/ctrl-exec` are allowed (deny by default), and they
 *    see ungrouped hosts only.
 */
export type ExecAction = "run" | "ping" | "discovery" | "status";

export interface ExecCaller {
  principal: Principal | undefined;
  identity: IdentityRow | undefined;
  visibility: Visibility;
}

const denied = (error: string, code: 1 | 2 | 3) => new ExecError(403, error, { code });

export async function authorizeExec(c: Context<AppEnv>, action: ExecAction, token: string): Promise<ExecCaller> {
  const ctx = await domain(c);
  if (!(await clientIpAllowed(c))) throw denied("denied", 1);
  if (token === "") {
    if (action !== "run" && anonymousAllowed(await getExecSettings(ctx), action, c.get("clientIp"))) {
      // The narrowest scope: ungrouped hosts only (issue 11), never admin visibility.
      return { principal: undefined, identity: undefined, visibility: UNGROUPED_ONLY };
    }
    throw denied("denied", 1);
  }
  const res = await authenticate(ctx, { kind: "exec_token", token });
  if (!res.ok) {
    logAt(c.env.LOG_LEVEL, "info", "ctrl-exec credentials refused", {
      requestId: c.get("requestId"),
      action,
      reason: res.reason,
    });
    if (res.reason === "disabled") throw denied("denied", 1);
    throw denied("bad credentials", 2);
  }
  if (res.principal.kind === "host") throw denied("denied", 1);
  if (!allows(res.principal.role, action === "run" ? "write" : "read")) throw denied("insufficient privilege", 3);
  signIn(c, res);
  const identity = res.identity;
  if (!identity) throw denied("denied", 1);
  return { principal: res.principal, identity, visibility: visibilityOf(identity) };
}
