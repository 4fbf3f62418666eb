/** What survives hibernation with each agent socket (≤ 2 KiB). */
export interface Attachment {
  hostId: string;
  hostName: string;
  certNotAfter: number;
  /** The certificate the agent authenticated with (its revocation closes this socket). */
  certId?: string;
  connectedAt: number;
  hello: boolean;
  version?: string;
  hostname?: string;
}

export type CommandState = "queued" | "sent" | "acked" | "done" | "cancelled" | "expired";

export interface CommandRow extends Record<string, SqlStorageValue> {
  command_id: string;
  job_id: string;
  host_id: string;
  reqid: string;
  script: string;
  args: string;
  timeout_seconds: number;
  expires_at: number;
  state: CommandState;
  updated_at: number;
}

/** The DO answers in the domain port's types (one definition: packages/domain/src/ports/host-channels.port.ts). */
export type { ChannelStatus, PingOutcome } from "@fleetgate/domain";
