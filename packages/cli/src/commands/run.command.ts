import type { CreateScriptJobRequest } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { parseSelector, resolveSelector } from "../selector";
import { followJob } from "./follow";
import { durationArg, intArg } from "./parse";

/** Job options shared by `run` and `jobs retry`. */
export const jobOptionArgs = {
  "max-parallel": { type: "string", description: "hosts at once (default 64)" },
  "error-threshold": { type: "string", description: "stop dispatching after N (or N%) failed hosts" },
  timeout: { type: "string", description: "per-host script timeout, e.g. 60s, 10m (default 60s)" },
  "queue-ttl": { type: "string", description: "how long a command waits for an offline host (default 1h)" },
  detach: { type: "boolean", description: "print the job id and return at once" },
  "wait-timeout": { type: "string", description: "give up waiting after this long (exit 124; the job goes on)" },
} as const;

export function jobOptions(args: Record<string, unknown>): Partial<CreateScriptJobRequest> {
  const s = (k: string) => (typeof args[k] === "string" ? (args[k] as string) : undefined);
  const threshold = s("error-threshold");
  if (threshold !== undefined && !/^\d+%?$/.test(threshold)) throw new UsageError("--error-threshold is N or N%");
  return {
    ...(s("max-parallel") ? { max_parallel: intArg(s("max-parallel") ?? "", "--max-parallel") } : {}),
    ...(threshold ? { error_threshold: threshold.endsWith("%") ? threshold : Number(threshold) } : {}),
    ...(s("timeout") ? { timeout_seconds: durationArg(s("timeout") ?? "", "--timeout") } : {}),
    ...(s("queue-ttl") ? { queue_ttl_seconds: durationArg(s("queue-ttl") ?? "", "--queue-ttl") } : {}),
  };
}

/** `fleetgate run <script> --hosts <selector> [-- args]`: starts a job and streams it live. */
export const run = (app: App) =>
  defineCommand({
    meta: { name: "run", description: "Run an allowlisted script on hosts; live output prefixed by host" },
    args: {
      script: { type: "positional", required: true, description: "script name (as the agents allowlist it)" },
      hosts: { type: "string", required: true, description: "selector: name:web-*,group:prod,os:debian,id:…,tag:k=v" },
      notes: { type: "string", description: "a note stored with the job" },
      ...jobOptionArgs,
    },
    async run({ args }) {
      const fg = app.client();
      const targets = await resolveSelector(fg, parseSelector(args.hosts));
      const body: CreateScriptJobRequest = {
        kind: "script",
        script: args.script,
        args: app.passthrough,
        ...("host_ids" in targets ? { host_ids: targets.host_ids } : { host_filter: targets.host_filter }),
        ...jobOptions(args),
        ...(args.notes ? { notes: args.notes } : {}),
      };
      const job = await fg.jobs.create(body);
      if (args.detach) {
        app.out(`${job.id}\n`);
        app.info(`Started job ${job.id}. Follow it: fleetgate jobs watch ${job.id}`);
        return;
      }
      await followJob(
        app,
        fg,
        job.id,
        args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined,
      );
    },
  });
