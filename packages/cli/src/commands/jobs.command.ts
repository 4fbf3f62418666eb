import type { CreateScriptJobRequest, JobHostRow } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { CliError, EXIT, UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { jobColumns, jobHostColumns } from "./columns";
import { followJob } from "./follow";
import { durationArg, intArg, oneOf } from "./parse";
import { rollbackCommand } from "./patch.command";
import { jobOptionArgs, jobOptions } from "./run.command";

const RETRYABLE = new Set(["failed", "timed_out", "offline_expired", "cancelled"]);

/** `fleetgate jobs list|show|watch|logs|cancel|retry|rollback`. */
export const jobs = (app: App) =>
  defineCommand({
    meta: { name: "jobs", description: "Jobs: list, show, watch, logs, cancel, retry, rollback" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List jobs, newest first" },
        args: { limit: { type: "string" }, offset: { type: "string" } },
        async run({ args }) {
          const body = await app.client().jobs.list({
            ...(args.limit ? { limit: intArg(args.limit, "--limit") } : {}),
            ...(args.offset ? { offset: intArg(args.offset, "--offset") } : {}),
          });
          app.out(renderList(app.format(), body, body.jobs, jobColumns));
        },
      }),
      show: defineCommand({
        meta: { name: "show", description: "A job and its per-host results" },
        args: { id: { type: "positional", required: true } },
        async run({ args }) {
          const d = await app.client().jobs.get(args.id);
          const f = app.format();
          if (f === "json" || f === "ndjson") {
            app.out(renderObject(f, d));
            return;
          }
          if (f === "table") {
            const j = d.job;
            app.info(`job ${j.id} (${j.reqid}) ${j.kind} ${j.script ?? ""} ${j.args.join(" ")}: ${j.status}`);
            app.info(
              `${j.succeeded_count} succeeded, ${j.failed_count} failed of ${j.host_count}; created ${j.created_at}`,
            );
          }
          app.out(renderList(f, d, d.hosts, jobHostColumns));
        },
      }),
      watch: defineCommand({
        meta: { name: "watch", description: "Follow a job live (progress on stderr; -o ndjson: events on stdout)" },
        args: {
          id: { type: "positional", required: true },
          "wait-timeout": { type: "string", description: "give up after this long (exit 124)" },
        },
        async run({ args }) {
          await followJob(
            app,
            app.client(),
            args.id,
            args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined,
          );
        },
      }),
      logs: defineCommand({
        meta: { name: "logs", description: "Output of a job's hosts, prefixed by host (--follow: live)" },
        args: {
          id: { type: "positional", required: true },
          host: { type: "string", description: "only this host (name or id)" },
          stream: { type: "string", description: "stdout | stderr (default both)" },
          follow: { type: "boolean", alias: "f", description: "stream live until the job ends" },
        },
        async run({ args }) {
          const fg = app.client();
          if (args.follow) {
            await followJob(app, fg, args.id);
            return;
          }
          const d = await fg.jobs.get(args.id);
          const rows = d.hosts.filter((h) => !args.host || h.host_name === args.host || h.host_id === args.host);
          if (args.host && rows.length === 0)
            throw new CliError(`host ${args.host} is not in job ${args.id}`, EXIT.notFound);
          const one = oneOf(args.stream, ["stdout", "stderr"] as const, "--stream");
          const streams = one ? [one] : (["stdout", "stderr"] as const);
          for (const h of rows) {
            for (const s of streams) {
              const text = await fullOutput(app, h, s, args.id);
              if (!text) continue;
              const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
              const write = (l: string) => (s === "stdout" ? app.out(l) : app.io.stderr.write(l));
              for (const l of lines) write(`[${h.host_name}] ${l}\n`);
            }
          }
        },
      }),
      cancel: defineCommand({
        meta: { name: "cancel", description: "Cancel a job (pending hosts never start, running scripts are stopped)" },
        args: { id: { type: "positional", required: true }, "dry-run": { type: "boolean" } },
        async run({ args }) {
          const fg = app.client();
          const d = await fg.jobs.get(args.id);
          const active = d.hosts.filter((h) => ["pending", "dispatched", "running"].includes(h.status)).length;
          app.info(
            `${args["dry-run"] ? "would cancel" : "cancelling"} job ${d.job.id} (${d.job.status}; ${active} host(s) not finished)`,
          );
          if (args["dry-run"]) return;
          await app.confirm(`Cancel job ${d.job.id}?`);
          const r = await fg.jobs.cancel(args.id);
          if (app.format() !== "table") app.out(renderObject(app.format(), r));
        },
      }),
      rollback: rollbackCommand(app),
      retry: defineCommand({
        meta: { name: "retry", description: "Run a finished job again on its failed hosts (--failed)" },
        args: {
          id: { type: "positional", required: true },
          failed: { type: "boolean", description: "only the hosts that failed, timed out, expired or were cancelled" },
          ...jobOptionArgs,
        },
        async run({ args }) {
          if (!args.failed) throw new UsageError("jobs retry needs --failed (retrying every host is `fleetgate run`)");
          const fg = app.client();
          const d = await fg.jobs.get(args.id);
          if (d.job.kind !== "script" || !d.job.script) throw new UsageError(`job ${args.id} is not a script job`);
          const hosts = d.hosts.filter((h) => RETRYABLE.has(h.status));
          if (hosts.length === 0) {
            app.info(`job ${args.id} has no failed hosts.`);
            return;
          }
          const options = d.job.options as Partial<CreateScriptJobRequest>;
          const body: CreateScriptJobRequest = {
            kind: "script",
            script: d.job.script,
            args: d.job.args,
            host_ids: hosts.map((h) => h.host_id),
            ...pick(options),
            ...jobOptions(args),
            notes: `retry of ${d.job.id}`,
          };
          app.info(`retrying ${d.job.script} on ${hosts.map((h) => h.host_name).join(", ")}`);
          const job = await fg.jobs.create(body);
          if (args.detach) {
            app.out(`${job.id}\n`);
            return;
          }
          await followJob(
            app,
            fg,
            job.id,
            args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined,
          );
        },
      }),
    },
  });

/** The original job's options that a retry keeps (only known, well-typed ones). */
function pick(o: Partial<CreateScriptJobRequest>): Partial<CreateScriptJobRequest> {
  const out: Partial<CreateScriptJobRequest> = {};
  if (typeof o.max_parallel === "number") out.max_parallel = o.max_parallel;
  if (typeof o.timeout_seconds === "number") out.timeout_seconds = o.timeout_seconds;
  if (typeof o.queue_ttl_seconds === "number") out.queue_ttl_seconds = o.queue_ttl_seconds;
  return out;
}

async function fullOutput(app: App, h: JobHostRow, stream: "stdout" | "stderr", jobId: string): Promise<string> {
  if (!h.output_truncated) return h[stream];
  return app.client().jobs.output(jobId, h.host_id, stream);
}
