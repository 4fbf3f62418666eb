import type { CreatePatchJobRequest, Fleetgate, HostSummary } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { parseSelector, resolveSelector } from "../selector";
import { followJob } from "./follow";
import { durationArg, intArg } from "./parse";
import { type PlanRow, planColumns } from "./patch-columns";

const targetArgs = {
  hosts: { type: "string", required: true, description: "selector: name:web-*,group:prod,os:debian,id:… (no tag:)" },
  security: { type: "boolean", description: "only security updates" },
} as const;

/** Hosts of a selector, by id (patch jobs name their hosts; a tag: selector is refused). */
async function patchTargets(fg: Fleetgate, selector: string): Promise<HostSummary[]> {
  const t = await resolveSelector(fg, parseSelector(selector));
  if (!("host_ids" in t)) throw new UsageError("patch jobs take hosts by name, id, group, os or health; not tag:");
  return t.hosts;
}

/** Every pending update of the hosts (all pages), security-only when asked. */
async function pendingUpdates(fg: Fleetgate, hosts: HostSummary[], securityOnly: boolean): Promise<PlanRow[]> {
  const rows: PlanRow[] = [];
  const limit = 200;
  for (const h of hosts) {
    for (let offset = 0; ; offset += limit) {
      const page = await fg.updates.list(h.id, { limit, offset, ...(securityOnly ? { security: "true" } : {}) });
      for (const update of page.updates) rows.push({ host: h.name, update });
      if (page.updates.length < limit || offset + limit >= page.total) break;
    }
  }
  return rows;
}

/**
 * `--at`: a "once" window at that time on the first target host (the calendar shows it; a job bound
 * to a window uses its times for all of its hosts). Never auto-applies by itself.
 */
async function oneOffWindow(fg: Fleetgate, hosts: HostSummary[], at: string, duration: string | undefined) {
  const first = hosts[0];
  if (!first) throw new UsageError("no host to schedule");
  return fg.windows.create(first.id, {
    label: `patch apply --at ${at}`,
    recurrence: "once",
    start_at: at,
    duration_minutes: duration ? intArg(duration, "--duration") : 60,
    auto_apply: false,
    enabled: true,
  });
}

/** `fleetgate patch plan|apply`: pending updates, and patch jobs that install exactly those versions. */
export const patch = (app: App) =>
  defineCommand({
    meta: { name: "patch", description: "Patching: plan (pending updates), apply (a patch job)" },
    subCommands: {
      plan: defineCommand({
        meta: { name: "plan", description: "Pending updates of the selected hosts, security first" },
        args: targetArgs,
        async run({ args }) {
          const fg = app.client();
          const rows = await pendingUpdates(fg, await patchTargets(fg, args.hosts), Boolean(args.security));
          rows.sort((a, b) => Number(b.update.security === true) - Number(a.update.security === true));
          app.out(renderList(app.format(), rows, rows, planColumns));
          if (app.format() === "table") app.info(`${rows.length} pending update(s).`);
        },
      }),
      apply: defineCommand({
        meta: {
          name: "apply",
          description: "Start a patch job: the server fixes the exact versions per host when it is created",
        },
        args: {
          ...targetArgs,
          packages: { type: "string", description: "comma-separated package names (default: every pending update)" },
          window: { type: "string", description: "wait for this maintenance window (id) instead of starting now" },
          at: {
            type: "string",
            description: "start at this time (RFC 3339): creates a one-off window of --duration on the first host",
          },
          duration: { type: "string", description: "with --at: the window's length in minutes (default 60)" },
          expected: {
            type: "string",
            description: "minutes one host needs; none starts later than window end minus this",
          },
          "allow-reboot": { type: "boolean", description: "reboot hosts that need it after patching" },
          "max-parallel": { type: "string", description: "hosts at once (default 64)" },
          "error-threshold": { type: "string", description: "stop after N (or N%) failed hosts" },
          timeout: { type: "string", description: "per-host timeout, e.g. 30m (default 1h)" },
          notes: { type: "string", description: "a note stored with the job" },
          "dry-run": { type: "boolean", description: "print the pending updates and the job request; start nothing" },
          detach: { type: "boolean", description: "print the job id and return at once" },
          "wait-timeout": {
            type: "string",
            description: "give up waiting after this long (exit 124; the job goes on)",
          },
        },
        async run({ args }) {
          if (args.at && args.window) throw new UsageError("give --at or --window, not both");
          if (args.at && Number.isNaN(Date.parse(args.at))) throw new UsageError("--at must be an RFC 3339 date-time");
          if (args.duration && !args.at) throw new UsageError("--duration goes with --at");
          const fg = app.client();
          const hosts = await patchTargets(fg, args.hosts);
          const threshold = args["error-threshold"];
          if (threshold !== undefined && !/^\d+%?$/.test(threshold))
            throw new UsageError("--error-threshold is N or N%");
          const packages = (args.packages ?? "")
            .split(",")
            .map((p) => p.trim())
            .filter(Boolean);
          const body: CreatePatchJobRequest = {
            kind: "patch_apply",
            host_ids: hosts.map((h) => h.id),
            packages,
            immediate: !args.window && !args.at,
            ...(args.window ? { maintenance_window_id: args.window } : {}),
            ...(args.expected ? { expected_minutes: intArg(args.expected, "--expected") } : {}),
            allow_reboot: Boolean(args["allow-reboot"]),
            security_only: Boolean(args.security),
            ...(args["max-parallel"] ? { max_parallel: intArg(args["max-parallel"], "--max-parallel") } : {}),
            ...(threshold ? { error_threshold: threshold.endsWith("%") ? threshold : Number(threshold) } : {}),
            ...(args.timeout ? { timeout_seconds: durationArg(args.timeout, "--timeout") } : {}),
            ...(args.notes ? { notes: args.notes } : {}),
          };
          if (args["dry-run"]) {
            const rows = (await pendingUpdates(fg, hosts, Boolean(args.security))).filter(
              (r) => packages.length === 0 || packages.includes(r.update.name),
            );
            app.info(`would patch ${hosts.length} host(s), ${rows.length} update(s):`);
            if (args.at)
              app.info(`in a one-off window at ${args.at} (${args.duration ?? 60} minutes) on ${hosts[0]?.name}`);
            app.io.stderr.write(renderList("table", rows, rows, planColumns));
            app.out(renderObject("json", body));
            return;
          }
          await app.confirm(`Patch ${hosts.length} host(s)${args.at ? ` at ${args.at}` : ""}?`);
          if (args.at) body.maintenance_window_id = (await oneOffWindow(fg, hosts, args.at, args.duration)).id;
          const job = await fg.jobs.create(body);
          if (args.detach || body.maintenance_window_id) {
            app.out(`${job.id}\n`);
            app.info(
              body.maintenance_window_id
                ? `Job ${job.id} waits for its window. Follow it: fleetgate jobs watch ${job.id}`
                : `Started job ${job.id}. Follow it: fleetgate jobs watch ${job.id}`,
            );
            return;
          }
          const timeout = args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined;
          await followJob(app, fg, job.id, timeout);
        },
      }),
    },
  });

/** `fleetgate jobs rollback <id>`: restore the exact pre-patch versions of a patch job's hosts. */
export const rollbackCommand = (app: App) =>
  defineCommand({
    meta: { name: "rollback", description: "Roll a patch job's hosts back to their exact pre-patch versions" },
    args: {
      id: { type: "positional", required: true, description: "the patch job" },
      "dry-run": { type: "boolean" },
      detach: { type: "boolean", description: "print the rollback job id and return at once" },
      "wait-timeout": { type: "string", description: "give up waiting after this long (exit 124)" },
    },
    async run({ args }) {
      const fg = app.client();
      const d = await fg.jobs.get(args.id);
      if (d.job.kind !== "patch_apply" && d.job.kind !== "patch_remove") {
        throw new UsageError(`job ${args.id} is a ${d.job.kind} job, not a patch job`);
      }
      app.info(`${args["dry-run"] ? "would roll back" : "rolling back"} ${d.hosts.length} host(s) of job ${d.job.id}`);
      if (args["dry-run"]) return;
      await app.confirm(`Roll back job ${d.job.id}?`);
      const r = await fg.jobs.rollback(args.id);
      if (args.detach) {
        app.out(`${r.id}\n`);
        return;
      }
      const timeout = args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined;
      await followJob(app, fg, r.id, timeout);
    },
  });
