import type { JobHostStatus, JobStatus } from "@fleetgate/contract";
import type { HostProgress, JobProgress } from "@fleetgate/domain";

/** The job row without its plan. */
export interface JobMeta extends Record<string, SqlStorageValue> {
  status: JobStatus;
  cancel_requested: number;
  stop_reason: string | null;
  started_at: number | null;
  completed_at: number | null;
  version: number;
  synced_version: number;
}

/** One target host of the job, as this object stores it. */
export interface HostRow extends Record<string, SqlStorageValue> {
  seq: number;
  host_id: string;
  host_name: string;
  command_id: string;
  status: JobHostStatus;
  /** How HostChannel took the command: sent (to a live agent), queued (host offline), or null (not yet). */
  delivery: "sent" | "queued" | null;
  exit_code: number | null;
  error: string | null;
  stdout: string;
  stderr: string;
  output_key: string | null;
  dispatched_at: number | null;
  acked_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  deadline: number | null;
  /** `rebooting`: the agent reboots for this (running) host's command; shown as status `rebooting`. */
  stage: string | null;
  /** The boot id and kernel the agent reported before its reboot. */
  boot_id_before: string | null;
  kernel_before: string | null;
  version: number;
  synced_version: number;
}

export type HostPatch = Partial<Omit<HostRow, "seq" | "host_id" | "command_id">>;

/** The DO answers in the domain port's types (one definition: packages/domain/src/ports/job-runs.port.ts). */
export type { HostProgress, JobProgress };

export const NOT_FOUND: JobProgress = { found: false, status: null, complete: false, hosts: [] };
