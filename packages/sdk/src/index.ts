export { AuthState, authorizationFor, type Credentials, type Session } from "./auth";
export { createFleetgate, type Fleetgate, type FleetgateOptions, newIdempotencyKey } from "./client";
export * from "./errors";
export type { WatchEvent, WatchOptions } from "./jobs-watch";
export type { SocketFactory, SocketHandlers } from "./socket";
export type { TaskFile, WaitOptions } from "./tasks";
export * from "./types";
