import { EVENT_HUB_NAME } from "@fleetgate/contract";

/**
 * The one place that finds the deployment's Durable Objects, by the name each
 * is keyed on (docs/storage-schema.md). The ports, the Durable Objects
 * themselves and the Worker's entry points all look them up through these.
 */

/** The JobRun of a job (`idFromName(jobId)`). */
export const jobRunStub = (ns: Env["JOBS"], jobId: string) => ns.get(ns.idFromName(jobId));

/** The HostChannel of a host (`idFromName(hostId)`). */
export const hostChannelStub = (ns: Env["HOSTS"], hostId: string) => ns.get(ns.idFromName(hostId));

/** The one EventHub of a deployment. */
export const eventHubStub = (ns: Env["EVENTS"]) => ns.get(ns.idFromName(EVENT_HUB_NAME));

/** The audit ledger's one sequencer. */
export const LEDGER_SEQUENCER_NAME = "ledger";
export const auditSequencerStub = (ns: Env["AUDIT_LEDGER"]) => ns.get(ns.idFromName(LEDGER_SEQUENCER_NAME));
