/** Stubs of the deployment's Durable Objects, by the name each is keyed on (docs/storage-schema.md). */

/** The JobRun of a job (`idFromName(jobId)`). */
export const jobRunStub = (env: Pick<Env, "JOBS">, jobId: string) => env.JOBS.get(env.JOBS.idFromName(jobId));

/** The HostChannel of a host (`idFromName(hostId)`). */
export const hostChannelStub = (env: Pick<Env, "HOSTS">, hostId: string) => env.HOSTS.get(env.HOSTS.idFromName(hostId));

/** The one EventHub of a deployment. */
export const EVENT_HUB_NAME = "fleet";
export const eventHubStub = (env: Pick<Env, "EVENTS">) => env.EVENTS.get(env.EVENTS.idFromName(EVENT_HUB_NAME));

/** The audit ledger's one sequencer. */
export const LEDGER_SEQUENCER_NAME = "ledger";
export const auditSequencer = (env: Pick<Env, "AUDIT_LEDGER">) =>
  env.AUDIT_LEDGER.get(env.AUDIT_LEDGER.idFromName(LEDGER_SEQUENCER_NAME));

/** Runs `fn` over `items`, at most `limit` at a time (RPC fan-out without unbounded subrequests). */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += limit) {
    await Promise.all(items.slice(i, i + limit).map(fn));
  }
}
