import type { EnqueueOutcome, JobPlan } from "@fleetgate/contract";
import { createDb, hostChannelStub, logAt, validCertificatesOfHosts } from "@fleetgate/domain";
import { forEachLimited } from "../shared/fan-out";
import type { HostRow } from "./job-run.types";

/** HostChannel RPCs in flight at once per JobRun. */
export const ENQUEUE_CONCURRENCY = 50;

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
  env: Env,
  plan: JobPlan,
  hosts: readonly HostRow[],
  now: number,
  onDelivered: (d: Delivery) => void,
): Promise<{ failed: number }> {
  let failed = 0;
  const ownArgs = new Map(plan.hosts.flatMap((h) => (h.args ? [[h.host_id, h.args] as const] : [])));
  // The certificate check every channel does before it sends (finding 3), read for the whole
  // wave here; if this read fails, each channel reads D1 itself as before.
  let validCerts: Map<string, string[]> | undefined;
  try {
    validCerts = await validCertificatesOfHosts(
      createDb(env.DB),
      hosts.map((h) => h.host_id),
      Date.now(),
    );
  } catch (err) {
    logAt(env.LOG_LEVEL, "warn", "reading the wave's certificates failed; each channel checks its own", {
      error: String(err),
    });
  }
  await forEachLimited(hosts, ENQUEUE_CONCURRENCY, async (h) => {
    let outcome: EnqueueOutcome;
    try {
      outcome = await hostChannelStub(env.HOSTS, h.host_id).enqueue({
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
      logAt(env.LOG_LEVEL, "warn", "enqueue to HostChannel failed; will retry", {
        command_id: h.command_id,
        error: String(err),
      });
      return;
    }
    onDelivered({ host: h, outcome });
  });
  return { failed };
}

/** Tells the hosts that hold a command to stop it; best effort (the agent's own timeout ends it anyway). */
export async function cancelCommands(env: Env, hosts: readonly HostRow[]): Promise<void> {
  await forEachLimited(hosts, ENQUEUE_CONCURRENCY, async (h) => {
    try {
      await hostChannelStub(env.HOSTS, h.host_id).cancel(h.command_id);
    } catch (err) {
      logAt(env.LOG_LEVEL, "warn", "cancel to HostChannel failed", { command_id: h.command_id, error: String(err) });
    }
  });
}
