import { z } from "zod";
import { AgentCrlReport, CrlStateFrame } from "./crl-frames";
import { DiscoverFrame, DiscoveryDoneFrame, DiscoveryResultsFrame } from "./discovery-frames";
import {
  HealthCheckFrame,
  HealthGateChecksFrame,
  HealthGateFrame,
  HealthGateResultsFrame,
  HealthResultsFrame,
  InventoryAck,
  InventoryDiffFrame,
  InventoryFrame,
  RefreshFrame,
} from "./patch-frames";
import { BootInfo, RebootConfirmedFrame, RebootingFrame } from "./reboot";

/**
 * The agent wire protocol: JSON text frames over the WebSocket at
 * `/agent/v1/connect`, one discriminated union per direction. Both ends parse
 * every frame with these schemas (docs/agent-protocol.md).
 */
export const AGENT_PROTOCOL_VERSION = 1;

/** Script names as ctrl-exec allows them (`^[\w-]+$`). */
export const ScriptName = z
  .string()
  .regex(/^[\w-]+$/)
  .max(100);
const Id = z.string().min(1).max(64);
/** Output chunks and capped results are bounded so one frame stays far below the 1 MiB WebSocket message limit. */
export const MAX_CHUNK_BYTES = 64 * 1024;
export const MAX_RESULT_OUTPUT_BYTES = 256 * 1024;

export const AgentScript = z.object({
  name: ScriptName,
  path: z.string().max(4096),
  description: z.string().max(1000).default(""),
  executable: z.boolean(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .or(z.literal("")),
});
export type AgentScript = z.infer<typeof AgentScript>;

// ---- agent → server ----------------------------------------------------

export const Hello = z.object({
  type: z.literal("hello"),
  protocol: z.literal(AGENT_PROTOCOL_VERSION),
  agent_version: z.string().max(64),
  hostname: z.string().max(253),
  os: z.object({
    family: z.string().max(64),
    name: z.string().max(255),
    version: z.string().max(255),
    arch: z.string().max(64),
  }),
  tags: z.record(z.string().max(64), z.string().max(256)),
  scripts: z.array(AgentScript).max(1000),
  /** Commands the agent finished while disconnected and still holds results for. */
  completed: z.array(Id).max(1000).default([]),
  /** The CRL the agent holds (absent: an agent too old to report it). */
  crl: AgentCrlReport.optional(),
  /** The boot the agent runs in (absent: an agent too old to report it, or the boot id is unreadable). */
  boot: BootInfo.optional(),
});

/** The agent accepted a command (it never runs one twice; a duplicate gets `ack` with `duplicate: true`). */
export const Ack = z.object({
  type: z.literal("ack"),
  command_id: Id,
  duplicate: z.boolean().default(false),
});

export const Output = z.object({
  type: z.literal("output"),
  command_id: Id,
  stream: z.enum(["stdout", "stderr"]),
  seq: z.number().int().nonnegative(),
  data: z.string().max(MAX_CHUNK_BYTES),
});

export const Result = z.object({
  type: z.literal("result"),
  command_id: Id,
  /** Process exit code; null when it never started or was killed (see `error`). */
  exit_code: z.number().int().nullable(),
  /** Set when the command could not run or did not finish: not_allowlisted, spawn_failed, timed_out, cancelled, expired, interrupted (the agent stopped or crashed while it ran; it is never re-run). */
  error: z.string().max(1000).nullable().default(null),
  stdout: z.string().max(MAX_RESULT_OUTPUT_BYTES),
  stderr: z.string().max(MAX_RESULT_OUTPUT_BYTES),
  truncated: z.boolean().default(false),
  started_at: z.number().int().nullable(),
  finished_at: z.number().int(),
});

export const Pong = z.object({
  type: z.literal("pong"),
  nonce: z.string().max(64),
  version: z.string().max(64).optional(),
});

export const AgentMessage = z.discriminatedUnion("type", [
  Hello,
  Ack,
  Output,
  Result,
  Pong,
  InventoryFrame,
  InventoryDiffFrame,
  HealthResultsFrame,
  HealthGateFrame,
  HealthGateResultsFrame,
  DiscoveryResultsFrame,
  DiscoveryDoneFrame,
  CrlStateFrame,
  RebootingFrame,
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

// ---- server → agent ----------------------------------------------------

export const Welcome = z.object({
  type: z.literal("welcome"),
  host_id: Id,
  host_name: z.string(),
  server_time: z.number().int(),
  /** Hash of the package set the server holds for this host (null: none); the agent sends a diff against it when it has the same base. */
  inventory_hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .default(null),
});

/** Run an allowlisted script with argv (never a shell). `expires_at`: do not start after this instant (ms). */
export const Run = z.object({
  type: z.literal("run"),
  command_id: Id,
  reqid: z
    .string()
    .regex(/^[a-f0-9]+$/)
    .max(64),
  script: ScriptName,
  args: z.array(z.string().max(4096)).max(256),
  timeout_seconds: z.number().int().min(1).max(86_400),
  expires_at: z.number().int(),
});

export const Cancel = z.object({ type: z.literal("cancel"), command_id: Id });
export const Ping = z.object({ type: z.literal("ping"), nonce: z.string().max(64) });

export const ServerMessage = z.discriminatedUnion("type", [
  Welcome,
  Run,
  Cancel,
  Ping,
  InventoryAck,
  RefreshFrame,
  HealthCheckFrame,
  HealthGateChecksFrame,
  DiscoverFrame,
  RebootConfirmedFrame,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

// ---- connect proof -----------------------------------------------------

/**
 * The agent authenticates the WebSocket upgrade with `Authorization: Bearer <proof>`:
 * a JWT signed by the host's private key, header `x5t#S256` = base64url SHA-256 of
 * its certificate's DER (RFC 7515 §4.1.8), `typ` = PROOF_TYP, claims `aud` = the
 * connect URL (`<server>/agent/v1/connect`, http(s) scheme), `iat`, `exp` ≤ iat + 60 s,
 * a single-use `jti` (UUID).
 */
export const PROOF_TYP = "fleetgate-agent-proof+jwt";
export const PROOF_MAX_LIFETIME_SECONDS = 60;
export const ProofClaims = z.object({
  aud: z.string().url(),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.uuid(),
});
export * from "./crl-frames";
export * from "./discovery-frames";
export * from "./patch-frames";
export * from "./patch-remove";
export * from "./reboot";
export * from "./self-upgrade";
