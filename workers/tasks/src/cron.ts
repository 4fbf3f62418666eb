import {
  createDomainContext,
  type DomainContext,
  deleteTaskRows,
  expireDiscoveryScans,
  expiredTasks,
  expireRecoveryReveals,
  failStaleTasks,
  log,
  notifyExpiringCertificates,
  pruneApiSessions,
  pruneNonces,
  pruneSigningKeys,
  recordComplianceHistory,
  refreshCrls,
  refreshOsvData,
  startAutoApplyJobs,
  sweepSecurityRows,
} from "@fleetgate/domain";
import { LEASE_MS } from "./consumer";
import type { TasksEnv } from "./env";

export interface SweepContext {
  domain: DomainContext;
  env: TasksEnv;
}

/** One periodic job of the cron handler. Sweeps run one after another; one failing does not stop the others. */
export interface Sweep {
  name: string;
  run(s: SweepContext): Promise<void>;
}

export const DEFAULT_RETENTION_DAYS = 7;

/** TASK_RETENTION_DAYS, or 7 when unset or not a positive number. */
export function retentionMs(env: TasksEnv): number {
  const days = Number(env.TASK_RETENTION_DAYS);
  return (Number.isFinite(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS) * 86_400_000;
}

/** Deletes finished tasks older than the retention period and their R2 objects, then orphaned export objects. */
export async function pruneTasks({ domain, env }: SweepContext): Promise<void> {
  const cutoff = domain.now() - retentionMs(env);
  for (let round = 0; round < 50; round++) {
    const batch = await expiredTasks(domain, cutoff, 90);
    if (batch.length === 0) break;
    const keys = batch.flatMap((t) => (t.fileKey ? [t.fileKey] : []));
    // Objects first: if this fails the rows stay and the next run tries again.
    if (keys.length) await env.EXPORTS.delete(keys);
    await deleteTaskRows(
      domain,
      batch.map((t) => t.id),
    );
  }
  // Objects whose row is gone (a crash between the two deletes, a task deleted mid-run).
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const listed = await env.EXPORTS.list({ prefix: "exports/", cursor, limit: 1000 });
    const old = listed.objects.filter((o) => o.uploaded.getTime() < cutoff).map((o) => o.key);
    if (old.length) await env.EXPORTS.delete(old);
    if (!listed.truncated) break;
    cursor = listed.cursor;
  }
}

/**
 * The cron handler's sweeps. Other modules append theirs (`sweeps.push(...)`):
 * expiry sweeps, CRL refresh, maintenance-window starts.
 */
export const sweeps: Sweep[] = [
  { name: "tasks.retention", run: pruneTasks },
  {
    name: "tasks.stale",
    run: async ({ domain }) => {
      const n = await failStaleTasks(domain, { graceMs: LEASE_MS, pendingMaxMs: 24 * 3600_000 });
      if (n > 0) log("warn", "stale tasks failed", { requestId: domain.requestId, count: n });
    },
  },
  { name: "nonces.prune", run: ({ domain }) => pruneNonces(domain) },
  { name: "identity.api_sessions", run: ({ domain }) => pruneApiSessions(domain) },
  { name: "identity.signing_keys", run: ({ domain }) => pruneSigningKeys(domain) },
  { name: "identity.recovery_reveals", run: async ({ domain }) => void (await expireRecoveryReveals(domain)) },
  { name: "security.retention", run: ({ domain }) => sweepSecurityRows(domain) },
  { name: "pki.crl", run: async ({ domain }) => void (await refreshCrls(domain)) },
  {
    name: "discovery.expired_scans",
    run: async ({ domain }) => void (await expireDiscoveryScans(domain, domain.now())),
  },
  { name: "notify.expiring_certificates", run: async ({ domain }) => void (await notifyExpiringCertificates(domain)) },
  { name: "reports.compliance_history", run: async ({ domain }) => void (await recordComplianceHistory(domain)) },
  { name: "patching.auto_apply", run: async ({ domain }) => void (await startAutoApplyJobs(domain)) },
  { name: "reports.osv_refresh", run: async ({ domain }) => void (await refreshOsvData(domain)) },
];

/** Runs every sweep once; returns which ones failed (each failure is logged). */
export async function runSweeps(env: TasksEnv, scheduledTime: number): Promise<{ name: string; error?: string }[]> {
  const domain = await createDomainContext(env, { requestId: `cron:${new Date(scheduledTime).toISOString()}` });
  const out: { name: string; error?: string }[] = [];
  for (const sweep of sweeps) {
    try {
      await sweep.run({ domain, env });
      out.push({ name: sweep.name });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log("error", "sweep failed", { requestId: domain.requestId, sweep: sweep.name, error });
      out.push({ name: sweep.name, error });
    }
  }
  return out;
}
