import { createWriteStream } from "node:fs";
import { rename } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ExportRequest, Fleetgate } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { renderList } from "../output";
import { taskColumns } from "./columns";
import { waitSignal } from "./follow";
import { durationArg, keyValues, oneOf } from "./parse";

const KINDS = ["hosts", "jobs", "certificates", "audit"] as const;

/** Waits for a task with progress on stderr, then saves its file (`-O path`, `-O -` = stdout). */
export async function saveTaskFile(app: App, fg: Fleetgate, taskId: string, out: string | undefined, timeout?: number) {
  let last = "";
  const tty = app.io.stderrIsTTY;
  const started = Date.now();
  const file = await fg.tasks.waitAndDownload(taskId, {
    signal: waitSignal(app, timeout),
    timeoutMs: (timeout ?? 600) * 1000,
    onProgress: (t) => {
      const line = `task ${t.id}: ${t.status}`;
      if (tty) app.io.stderr.write(`\r${line} (${Math.round((Date.now() - started) / 1000)}s)\u001b[K`);
      else if (line !== last) app.info(line);
      last = line;
    },
  });
  if (tty) app.io.stderr.write("\n");
  const body = file.response.body;
  if (!body) throw new Error("the download had no body");
  if (out === "-") {
    const stream = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
    for await (const chunk of stream) app.io.stdout.write(chunk as Uint8Array);
    return;
  }
  const dest = out ?? file.filename ?? `${taskId}.bin`;
  // Write beside the destination, then rename: an interrupted download never leaves a half file.
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.part`);
  await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), createWriteStream(tmp, { mode: 0o600 }));
  await rename(tmp, dest);
  app.info(`saved ${dest}`);
  app.out(app.format() === "json" ? `${JSON.stringify({ task_id: taskId, file: dest })}\n` : "");
}

/** `fleetgate exports create|get|list`. */
export const exportsCmd = (app: App) =>
  defineCommand({
    meta: { name: "exports", description: "Exports to files (CSV/XLSX): create, get, list" },
    subCommands: {
      create: defineCommand({
        meta: { name: "create", description: "Start an export, wait for it and download the file" },
        args: {
          kind: { type: "positional", required: true, description: KINDS.join("|") },
          format: { type: "string", description: "csv | xlsx (default xlsx)" },
          filter: { type: "string", alias: "f", description: "list filter key=value (repeatable)" },
          O: { type: "string", description: "output file (default: the server's file name; - = stdout)" },
          detach: { type: "boolean", description: "print the task id and return" },
          "wait-timeout": { type: "string", description: "give up waiting after this long (exit 124)" },
        },
        async run({ args, rawArgs }) {
          if (!(KINDS as readonly string[]).includes(args.kind))
            throw new UsageError(`export kind is one of ${KINDS.join(", ")}`);
          const filters = keyValues(repeated(rawArgs, ["--filter", "-f"]), "--filter");
          const body = {
            kind: args.kind,
            format: oneOf(args.format, ["csv", "xlsx"] as const, "--format") ?? "xlsx",
            filters,
          } as ExportRequest;
          const fg = app.client();
          const t = await fg.exports.create(body);
          if (args.detach) {
            app.out(`${t.task_id}\n`);
            return;
          }
          await saveTaskFile(
            app,
            fg,
            t.task_id,
            args.O,
            args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined,
          );
        },
      }),
      get: defineCommand({
        meta: { name: "get", description: "Wait for an export task (progress on stderr), then download its file" },
        args: {
          task: { type: "positional", required: true },
          O: { type: "string", description: "output file (default: the server's file name; - = stdout)" },
          "wait-timeout": { type: "string", description: "give up waiting after this long (exit 124)" },
        },
        async run({ args }) {
          const timeout = args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined;
          await saveTaskFile(app, app.client(), args.task, args.O, timeout);
        },
      }),
      list: defineCommand({
        meta: { name: "list", description: "Your tasks (exports and reports)" },
        async run() {
          const body = await app.client().tasks.list({});
          app.out(renderList(app.format(), body, body.tasks, taskColumns));
        },
      }),
    },
  });

/** Every value of a repeatable flag, from the raw argv (`--filter a=1 -f b=2 --filter=c=3`). */
export function repeated(rawArgs: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i] ?? "";
    const eq = names.find((n) => a.startsWith(`${n}=`));
    if (eq) out.push(a.slice(eq.length + 1));
    else if (names.includes(a) && rawArgs[i + 1] !== undefined) out.push(rawArgs[++i] ?? "");
  }
  return out;
}
