import type { ExecOutcome } from "./executor";

/**
 * The outcome of a built-in command the agent runs in-process (patching, reboot, self-upgrade):
 * no process of its own, so no signal and nothing truncated; it finishes now.
 */
export const inProcessOutcome = (
  startedAt: number,
  exit: number,
  stdout: string,
  stderr: string,
  error: string | null = null,
): ExecOutcome => ({
  exit_code: exit,
  error,
  signal: null,
  stdout,
  stderr,
  truncated: false,
  started_at: startedAt,
  finished_at: Date.now(),
});
