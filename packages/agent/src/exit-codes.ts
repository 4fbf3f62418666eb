/** Process exit codes of `fleetgate-agent` (documented in docs/agent-protocol.md). */
export const EXIT = {
  ok: 0,
  /** Unexpected failure (I/O, corrupt state, a bug). */
  failure: 1,
  /** Bad command line or bad config file. */
  usage: 2,
  /** The host is not enrolled (no key/certificate in state_dir). */
  notEnrolled: 3,
  /** The server refused: invalid or expired token, enrollment denied, already enrolled, certificate rejected. */
  refused: 4,
  /** The server could not be reached, or an enrollment is still pending after the last poll. */
  unavailable: 5,
  /** `run` ended to start again (a self-upgrade swapped the executable, or rolled it back): the unit restarts it. */
  restart: 75,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends a CLI command with a specific exit code; `message` is safe to print. */
export class AgentError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = "AgentError";
  }
}
