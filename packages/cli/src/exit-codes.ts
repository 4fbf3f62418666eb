import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  WaitTimeoutError,
} from "@fleetgate/sdk";

/** `fleetgate` exit codes (documented in `fleetgate --help` and docs/cli.md). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  jobFailedHosts: 3,
  auth: 4,
  notFound: 5,
  conflict: 6,
  rateLimited: 7,
  waitTimeout: 124,
  interrupted: 130,
} as const;

/** A mistake in how the command was called (exit 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure with a chosen exit code and message. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The exit code for an error thrown by a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof AuthenticationError || err instanceof PermissionError) return EXIT.auth;
  if (err instanceof NotFoundError) return EXIT.notFound;
  if (err instanceof ConflictError) return EXIT.conflict;
  if (err instanceof RateLimitError) return EXIT.rateLimited;
  if (err instanceof WaitTimeoutError) return EXIT.waitTimeout;
  if (err instanceof Error && err.name === "CLIError") return EXIT.usage;
  if (err instanceof Error && (err.name === "AbortError" || err.message === "interrupted")) return EXIT.interrupted;
  return EXIT.error;
}
