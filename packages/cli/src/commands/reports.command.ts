import { createWriteStream } from "node:fs";
import { rename } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ExportRequest, ReportType } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { renderObject } from "../output";
import { saveTaskFile } from "./exports.command";
import { durationArg, oneOf } from "./parse";

const TYPES = ["compliance", "patch-history", "vulnerability", "audit"] as const satisfies readonly ReportType[];

/** Saves a response body to `out` (`-` = stdout) through a temporary file, so no half file is left. */
async function saveBody(app: App, body: ReadableStream<Uint8Array>, dest: string): Promise<void> {
  const stream = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  if (dest === "-") {
    for await (const chunk of stream) app.io.stdout.write(chunk as Uint8Array);
    return;
  }
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.part`);
  await pipeline(stream, createWriteStream(tmp, { mode: 0o600 }));
  await rename(tmp, dest);
  app.info(`saved ${dest}`);
}

/** `fleetgate reports create <type>` and `fleetgate status`. */
export const reports = (app: App) =>
  defineCommand({
    meta: { name: "reports", description: "Reports as CSV or PDF: compliance, patch-history, vulnerability, audit" },
    subCommands: {
      create: defineCommand({
        meta: {
          name: "create",
          description: "Download a report (--async: through the task queue, for large fleets, with progress)",
        },
        args: {
          type: { type: "positional", required: true, description: TYPES.join(" | ") },
          format: { type: "string", description: "csv | pdf (default csv; pdf with --async)" },
          from: { type: "string", description: "start of the period (2026-01-01 or RFC 3339)" },
          to: { type: "string", description: "end of the period" },
          group: { type: "string", description: "only this group (id)" },
          O: { type: "string", description: "output file (default: the server's file name; - = stdout)" },
          async: { type: "boolean", description: "run it as an export task and download the file when ready" },
          detach: { type: "boolean", description: "with --async: print the task id and return" },
          "wait-timeout": { type: "string", description: "with --async: give up waiting after this long (exit 124)" },
        },
        async run({ args }) {
          const type = oneOf(args.type, TYPES, "report type");
          const format = oneOf(args.format, ["csv", "pdf"] as const, "--format");
          const filters = {
            ...(args.from ? { from: args.from } : {}),
            ...(args.to ? { to: args.to } : {}),
            ...(args.group ? { group_id: args.group } : {}),
          };
          const fg = app.client();
          if (args.async) {
            const body: ExportRequest = { kind: `report:${type}`, format: format ?? "pdf", filters };
            const t = await fg.exports.create(body);
            if (args.detach) {
              app.out(`${t.task_id}\n`);
              return;
            }
            const timeout = args["wait-timeout"] ? durationArg(args["wait-timeout"], "--wait-timeout") : undefined;
            await saveTaskFile(app, fg, t.task_id, args.O, timeout);
            return;
          }
          const file = await fg.reports.download(type, { format: format ?? "csv", ...filters });
          const body = file.response.body;
          if (!body) throw new Error("the report had no body");
          await saveBody(app, body, args.O ?? file.filename ?? `${type}-report.${format ?? "csv"}`);
        },
      }),
    },
  });

/** `fleetgate status`: the fleet's health, patch and compliance summary (`--ca`: the CA's health). */
export const status = (app: App) =>
  defineCommand({
    meta: { name: "status", description: "Fleet status: health, pending patches, compliance, CRL state" },
    args: {
      group: { type: "string", description: "only this group (id)" },
      ca: { type: "boolean", description: "the certificate authority's health instead" },
    },
    async run({ args }) {
      const fg = app.client();
      const body = args.ca ? await fg.status.caHealth() : await fg.status.fleet(args.group);
      app.out(renderObject(app.format(), body));
    },
  });
