import type { EnqueueOutcome, JobPlan } from "@fleetgate/contract";
import { type DomainContext, logAt } from "@fleetgate/domain";
import { forEachLimited } from "../shared/fan-out";
import type { DispatchCertificates } from "./dispatch-certificates";
import type { HostRow } from "./job-run.types";

/** HostChannel RPCs in flight at once per JobRun. */
export const ENQUEUE_CONCURRENCY = 50;

/** What dispatch needs of the domain context: the host channels port (and D1 for the wave's certificates). */
type Channels = Pick<DomainContext, "hostChannels" | "logLevel">;
type Dispatch = Channels & Pick<DomainContext, "db">;

export interface Delivery {
  host: HostRow;
  outcome: EnqueueOutcome;
}

/**
 * Hands each dispatched command to its host's HostChannel (idempotent there by
 * command id, so a retry after a reset never runs a host twice). Returns what
 * each channel answered, and how many calls failed (to be retried).
 */
export async function enqueueCommands(
  ctx: Dispatch,
  plan: JobPlan,
  hosts: readonly HostRow[],
  now: number,
  certificates: DispatchCertificates,
  onDelivered: (d: Delivery) => void,
): Promise<{ failed: number }> {
  let failed = 0;
  const ownArgs = hostArgs(plan);
  // The certificate check every channel does before it sends (finding 3), read for the whole
  // wave here (dispatch-certificates.ts); if this read fails, each channel reads D1 itself as before.
  let validCerts: Map<string, string[]> | undefined;
  try {
    validCerts = await certificates.forHosts(
      ctx,
      hosts.map((h) => h.host_id),
    );
  } catch (err) {
    logAt(ctx.logLevel, "warn", "reading the wave's certificates failed; each channel checks its own", {
      error: String(err),
    });
  }
  await forEachLimited(hosts, ENQUEUE_CONCURRENCY, async (h) => {
    let outcome: EnqueueOutcome;
    try {
      outcome = await ctx.hostChannels.enqueue(h.host_id, {
        command_id: h.command_id,
        job_id: plan.job_id,
        host_id: h.host_id,
        reqid: plan.reqid,
        script: plan.script,
        args: ownArgs.get(h.host_id) ?? plan.args,
        timeout_seconds: plan.timeout_seconds,
        expires_at: (h.dispatched_at ?? now) + plan.queue_ttl_seconds * 1000,
        require_online: plan.require_online,
        ...(validCerts ? { valid_cert_ids: validCerts.get(h.host_id) ?? [] } : {}),
      });
    } catch (err) {
      failed++;
      logAt(ctx.logLevel, "warn", "enqueue to HostChannel failed; will retry", {
        command_id: h.command_id,
        error: String(err),
      });
      return;
    }
    onDelivered({ host: h, outcome });
  });
  return { failed };
}

const argsByPlan = new WeakMap<JobPlan, ReadonlyMap<string, string[]>>();

/** Per-host arguments of the plan (patch jobs), built once per plan object rather than per dispatch. */
function hostArgs(plan: JobPlan): ReadonlyMap<string, string[]> {
  let args = argsByPlan.get(plan);
  if (!args) {
    args = new Map(plan.hosts.flatMap((h) => (h.args ? [[h.host_id, h.args] as const] : [])));
    argsByPlan.set(plan, args);
  }
  return args;
}

/** Tells the hosts that hold a command to stop it; best effort (the agent's own timeout ends it anyway). */
export async function cancelCommands(ctx: Channels, hosts: readonly HostRow[]): Promise<void> {
  await forEachLimited(hosts, ENQUEUE_CONCURRENCY, async (h) => {
    try {
      await ctx.hostChannels.cancel(h.host_id, h.command_id);
    } catch (err) {
      logAt(ctx.logLevel, "warn", "cancel to HostChannel failed", { command_id: h.command_id, error: String(err) });
    }
  });
}
