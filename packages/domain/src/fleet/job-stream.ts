import type { IdentityRow } from "../identity/users.service";
import { logAt } from "../log";
import type { Subscription } from "../ports/events.port";
import type { DomainContext } from "../shared/context";
import { getVisibleJob } from "./job-lookup.query";
import { jobScope } from "./job-visibility";
import { visibilityOf } from "./visibility";

/**
 * The subscription of a dashboard socket: its identity and sign-in session (so
 * the hub can bound and close that user's or that session's sockets) and, for one job's stream, the hosts whose
 * events it may carry (finding 1: a caller who does not see every host of
 * the job hears only about the visible ones). Throws not_found / forbidden
 * for a job the caller may not see at all.
 */
export async function streamSubscription(
  ctx: DomainContext,
  identity: Pick<IdentityRow, "id" | "role">,
  jobId: string | undefined,
  sessionId?: string,
): Promise<Subscription> {
  const owner = { identityId: identity.id, ...(sessionId === undefined ? {} : { sessionId }) };
  if (!jobId) return owner;
  const v = visibilityOf(identity);
  await getVisibleJob(ctx, jobId, v);
  const scope = await jobScope(ctx, jobId, v);
  return {
    ...owner,
    visibleHosts: scope.whole || !scope.visible ? undefined : [...scope.visible],
    scoped: identity.role !== "admin",
  };
}

/**
 * After a group-membership change (a host's groups, a user's groups, a group
 * deleted): closes the non-admin job streams it may affect — one identity's, or
 * everyone's with `null` — with close code 4001, so each reconnects and is
 * authorised against the new membership (docs/remote-execution.md "Who sees
 * what"). Best effort after the commit: a failure is logged, the change stands.
 */
export async function reauthoriseJobStreams(
  ctx: DomainContext,
  identityId: string | null,
  reason: string,
): Promise<void> {
  try {
    await ctx.events.closeScopedStreams(identityId, reason);
  } catch (err) {
    logAt(ctx.logLevel, "warn", "closing job streams for re-authorisation failed", {
      identity_id: identityId,
      error: String(err),
    });
  }
}
