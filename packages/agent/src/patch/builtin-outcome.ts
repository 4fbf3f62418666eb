/** A built-in's outcome: ok, its JSON report (stdout), an error (stderr), and an exit code other than 0/1. */
export interface BuiltinOutcome {
  ok: boolean;
  json: string;
  error: string | null;
  exit?: number;
  /** The host is rebooting (the agent was stopped by the shutdown): the result is written after the boot. */
  deferred?: boolean;
}

/** The end of a long tool output (the report must stay one result frame). */
export const tail = (text: string, max = 16 * 1024) => (text.length > max ? text.slice(-max) : text);

/** A package tool's report as a built-in's outcome: its JSON with the output cut to its end. */
export const reportOutcome = (report: { ok: boolean; output: string }): BuiltinOutcome => ({
  ok: report.ok,
  json: JSON.stringify({ ...report, output: tail(report.output) }),
  error: null,
});
