import type { AgentConfig } from "./config";
import type { HostInfo } from "./host-info";
import type { Logger } from "./log";
import type { PackageRunner } from "./patch/package-runner";
import type { SelfUpgrader } from "./upgrade/self-upgrade";

/** Tunables of `run`; the defaults are the production values, tests shorten them. */
export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A connection that stayed up this long resets the backoff. */
  stableAfterMs?: number;
  /** WebSocket ping interval; a connection that misses one pong is dropped. */
  heartbeatMs?: number;
  /** How often to check whether the certificate is due for renewal. */
  renewCheckMs?: number;
  /** How often to download the CRL (and send `crl_state` when what the host holds changed). */
  crlCheckMs?: number;
  /** SIGTERM → SIGKILL grace for timed-out and cancelled commands. */
  killGraceMs?: number;
  /** How long a command runs before its ack goes out (`ACK_AFTER_MS` unless set; tests). */
  ackAfterMs?: number;
  hostInfo?: HostInfo;
  /** Self-upgrade (only when the agent runs as its own executable); null/absent: the built-in is not offered. */
  selfUpgrade?: SelfUpgrader | null;
  /** The one runner of package commands (patching and the package self-upgrade share it). */
  packageRunner?: PackageRunner;
  /** Called after `stop()` when a self-upgrade swapped the executable: start the new one (production: exit, systemd restarts). */
  onRestart?: () => void;
}
