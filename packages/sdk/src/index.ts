export {
  type AuditCheckpoint,
  type CheckpointKey,
  checkpointBody,
  type LedgerEntry,
  type VerifyReport,
  verifyAuditLedger,
} from "./audit-verify";
export { AuthState, authorizationFor, type Credentials, type Refresher, type Session } from "./auth";
export { createFleetgate, type Fleetgate, type FleetgateOptions, newIdempotencyKey } from "./client";
export type { DeviceCode, DeviceLoginOptions } from "./device-login";
export * from "./errors";
export type { WatchEvent, WatchOptions } from "./jobs-watch";
export type { PackagesQuery, ReportFile, ReportOptions, ReportType, UpdatesQuery } from "./patching";
export type { SocketFactory, SocketHandlers } from "./socket";
export type { TaskFile, WaitOptions } from "./tasks";
export * from "./types";
