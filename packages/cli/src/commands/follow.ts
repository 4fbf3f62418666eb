import { type Fleetgate, type JobDetail, TERMINAL_HOST_STATUSES, WaitTimeoutError } from "@fleetgate/sdk";
import type { App } from "../app";
import { EXIT } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { jobHostColumns } from "./columns";

const FAILED = new Set(["failed", "timed_out", "offline_expired"]);

/** Line-buffers a stream per host so every printed line carries its host prefix. */
class Prefixer {
  private readonly partial = new Map<string, string>();
  constructor(private readonly write: (line: string) => void) {}
  push(host: string, data: string): void {
    const text = (this.partial.get(host) ?? "") + data;
    const lines = text.split("\n");
    this.partial.set(host, lines.pop() ?? "");
    for (const l of lines) this.write(`[${host}] ${l}\n`);
  }
  flush(host?: string): void {
    for (const [h, rest] of this.partial) {
      if ((host === undefined || h === host) && rest) this.write(`[${h}] ${rest}\n`);
      if (host === undefined || h === host) this.partial.delete(h);
    }
  }
}

/** A signal that fires on Ctrl-C or, with `timeoutSeconds`, after the wait timeout (exit 124). */
export function waitSignal(app: App, timeoutSeconds?: number): AbortSignal {
  if (!timeoutSeconds) return app.io.signal;
  const timeout = new AbortController();
  const t = setTimeout(
    () => timeout.abort(new WaitTimeoutError(`still running after ${timeoutSeconds}s (--wait-timeout)`, 0, "timeout")),
    timeoutSeconds * 1000,
  );
  t.unref();
  return AbortSignal.any([app.io.signal, timeout.signal]);
}

/**
 * Follows a job live until it ends. table: script stdout on stdout and stderr on stderr, every line
 * prefixed with its host, host state changes on stderr; ndjson: every event on stdout; json/csv: the
 * final job only. Sets exit code 3 when any host failed.
 */
export async function followJob(app: App, fg: Fleetgate, jobId: string, timeoutSeconds?: number): Promise<JobDetail> {
  const format = app.format();
  const p = app.paint;
  const out = new Prefixer((l) => app.out(l));
  const err = new Prefixer((l) => app.io.stderr.write(l));
  let final: JobDetail | undefined;
  for await (const ev of fg.jobs.watch(jobId, { signal: waitSignal(app, timeoutSeconds) })) {
    if (format === "ndjson") app.out(`${JSON.stringify(ev)}\n`);
    if (ev.type === "done") final = ev.job;
    if (format !== "table") continue;
    if (ev.type === "snapshot") {
      app.info(
        p("dim", `job ${ev.job.job.id}: ${ev.job.job.script ?? ev.job.job.kind} on ${ev.job.hosts.length} host(s)`),
      );
    } else if (ev.type === "output") {
      (ev.stream === "stdout" ? out : err).push(ev.host_name, ev.data);
    } else if (ev.type === "host") {
      if (TERMINAL_HOST_STATUSES.has(ev.status)) {
        out.flush(ev.host_name);
        err.flush(ev.host_name);
      }
      const mark =
        ev.status === "succeeded"
          ? p("green", "✓")
          : FAILED.has(ev.status)
            ? p("red", "✗")
            : ev.status === "cancelled"
              ? p("yellow", "-")
              : p("dim", "•");
      app.info(`${mark} ${ev.host_name} ${ev.status}${ev.error_message ? `: ${ev.error_message}` : ""}`);
    } else if (ev.type === "reconnecting") {
      app.info(p("yellow", `live stream lost; reconnecting (attempt ${ev.attempt})…`));
    }
  }
  out.flush();
  err.flush();
  if (!final) throw new Error("the job stream ended without a result");
  if (format === "json") app.out(renderObject("json", final));
  if (format === "csv") app.out(renderList("csv", final, final.hosts, jobHostColumns));
  const failed = final.hosts.filter((h) => FAILED.has(h.status)).length;
  const ok = final.hosts.filter((h) => h.status === "succeeded").length;
  if (format === "table") {
    const codes = final.hosts
      .filter((h) => h.status !== "succeeded")
      .map((h) => `${h.host_name}=${h.exit_code ?? h.status}`)
      .join(" ");
    const color = failed > 0 ? "red" : final.job.status === "succeeded" ? "green" : "yellow";
    app.info(
      p(
        color,
        `job ${final.job.status}: ${ok} succeeded, ${failed} failed of ${final.hosts.length}${codes ? ` (${codes})` : ""}`,
      ),
    );
  }
  if (failed > 0) app.exitCode = EXIT.jobFailedHosts;
  else if (final.job.status !== "succeeded") app.exitCode = EXIT.error;
  return final;
}
