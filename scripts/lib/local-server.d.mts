import type { ChildProcess, SpawnSyncReturns } from "node:child_process";

export const root: string;
export function freePort(): Promise<number>;
export function wrangler(
  args: string[],
  opts?: { stdio?: "pipe" | "inherit"; env?: Record<string, string> },
): SpawnSyncReturns<string>;
export function migrateLocal(persistTo?: string): void;
export function ensureDashboard(opts?: { force?: boolean }): void;
export interface LocalServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}
export function startLocalServer(opts: {
  port: number;
  persistTo?: string;
  vars?: Record<string, string>;
  inherit?: boolean;
  timeoutMs?: number;
}): Promise<LocalServer>;
