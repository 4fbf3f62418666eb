import type { Schemas } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { resolveHost } from "../selector";
import { intArg, oneOf } from "./parse";
import { windowColumns } from "./patch-columns";

const RECURRENCES = ["once", "daily", "weekly", "monthly"] as const;

/** `fleetgate windows list|create|delete`: maintenance windows per host, in explicit time zones. */
export const windows = (app: App) =>
  defineCommand({
    meta: { name: "windows", description: "Maintenance windows: list, create, delete" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "Windows of the hosts you can see (--host: one host), with the next start" },
        args: { host: { type: "string", description: "only this host (id, name or FQDN)" } },
        async run({ args }) {
          const fg = app.client();
          const body = args.host
            ? await fg.windows.forHost((await resolveHost(fg, args.host)).id)
            : await fg.windows.list();
          app.out(renderList(app.format(), body, body.windows, windowColumns));
        },
      }),
      create: defineCommand({
        meta: { name: "create", description: "Add a window to a host" },
        args: {
          host: { type: "positional", required: true, description: "id, name or FQDN" },
          label: { type: "string", required: true },
          recurrence: { type: "string", required: true, description: RECURRENCES.join(" | ") },
          start: { type: "string", required: true, description: "first start, RFC 3339 (2026-12-08T23:00:00Z)" },
          duration: { type: "string", description: "minutes (default 60, at most 1440)" },
          day: { type: "string", description: "weekly: 0-6 (0 = Sunday); monthly: 1-31" },
          tz: { type: "string", description: "IANA time zone the recurrence follows (default UTC)" },
          "auto-apply": {
            type: "boolean",
            default: true,
            description: "patch pending security updates by itself (--no-auto-apply: only run jobs sent to it)",
          },
          disabled: { type: "boolean", description: "create it disabled" },
        },
        async run({ args }) {
          if (Number.isNaN(Date.parse(args.start))) throw new UsageError("--start must be an RFC 3339 date-time");
          const body: Schemas["CreateMaintenanceWindow"] = {
            label: args.label,
            recurrence: oneOf(args.recurrence, RECURRENCES, "--recurrence"),
            start_at: args.start,
            ...(args.duration ? { duration_minutes: intArg(args.duration, "--duration") } : {}),
            ...(args.day ? { recurrence_day: intArg(args.day, "--day") } : {}),
            ...(args.tz ? { time_zone: args.tz } : {}),
            auto_apply: args["auto-apply"] !== false,
            enabled: !args.disabled,
          };
          const fg = app.client();
          const w = await fg.windows.create((await resolveHost(fg, args.host)).id, body);
          if (app.format() === "table") app.info(`Created window ${w.id}; next start ${w.next_start_at ?? "none"}.`);
          app.out(app.format() === "table" ? `${w.id}\n` : renderObject(app.format(), w));
        },
      }),
      delete: defineCommand({
        meta: { name: "delete", description: "Remove a window from a host" },
        args: {
          host: { type: "positional", required: true, description: "id, name or FQDN" },
          id: { type: "positional", required: true, description: "window id" },
          "dry-run": { type: "boolean" },
        },
        async run({ args }) {
          const fg = app.client();
          const hostId = (await resolveHost(fg, args.host)).id;
          app.info(`${args["dry-run"] ? "would delete" : "deleting"} window ${args.id} of host ${args.host}`);
          if (args["dry-run"]) return;
          await app.confirm(`Delete window ${args.id}?`);
          await fg.windows.delete(hostId, args.id);
        },
      }),
    },
  });
