import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { resolveHost } from "../selector";
import { hostColumns } from "./columns";
import { intArg, oneOf } from "./parse";

const HEALTH = ["pending", "healthy", "degraded", "unreachable"] as const;

/** `fleetgate hosts list|show|refresh|delete`. */
export const hosts = (app: App) =>
  defineCommand({
    meta: { name: "hosts", description: "Hosts: list, show, refresh, delete" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List hosts (server-side filters)" },
        args: {
          search: { type: "string", description: "substring of name, FQDN, display name or IP" },
          health: { type: "string", description: HEALTH.join(" | ") },
          group: { type: "string", description: "group id" },
          os: { type: "string", description: "OS family" },
          "patches-missing": { type: "boolean", description: "only hosts with missing patches" },
          sort: { type: "string", description: "fqdn, display_name, ip_address, os, health_status, …" },
          desc: { type: "boolean", description: "descending order" },
          limit: { type: "string", description: "page size (default 50)" },
          offset: { type: "string", description: "page offset" },
        },
        async run({ args }) {
          const fg = app.client();
          const body = await fg.hosts.list({
            ...(args.search ? { search: args.search } : {}),
            ...(args.health ? { health_status: oneOf(args.health, HEALTH, "--health") } : {}),
            ...(args.group ? { group_id: args.group } : {}),
            ...(args.os ? { os_family: args.os } : {}),
            ...(args["patches-missing"] ? { patches_missing: "missing" as const } : {}),
            ...(args.sort ? { sort_by: args.sort as never } : {}),
            ...(args.desc ? { order: "desc" as const } : {}),
            ...(args.limit ? { limit: intArg(args.limit, "--limit") } : {}),
            ...(args.offset ? { offset: intArg(args.offset, "--offset") } : {}),
          });
          app.out(renderList(app.format(), body, body.hosts, hostColumns));
          if (app.format() === "table" && body.total > body.hosts.length) {
            app.info(`${body.hosts.length} of ${body.total} hosts shown (--limit/--offset for more).`);
          }
        },
      }),
      show: defineCommand({
        meta: { name: "show", description: "Show one host (id, name or FQDN)" },
        args: { host: { type: "positional", required: true } },
        async run({ args }) {
          const fg = app.client();
          const ref = await resolveHost(fg, args.host);
          app.out(renderObject(app.format(), await fg.hosts.get(ref.id)));
        },
      }),
      refresh: defineCommand({
        meta: { name: "refresh", description: "Ask hosts' agents for a fresh package inventory now" },
        args: { host: { type: "positional", required: true, description: "id, name or FQDN (several allowed)" } },
        async run({ args }) {
          const fg = app.client();
          const refs = args._.length > 0 ? args._ : [args.host];
          for (const r of refs) {
            const ref = await resolveHost(fg, r);
            const res = await fg.updates.refresh(ref.id);
            app.info(`${r}: ${res.message}`);
          }
        },
      }),
      delete: defineCommand({
        meta: { name: "delete", description: "Remove hosts: revokes their certificates and disconnects them" },
        args: {
          host: { type: "positional", required: true, description: "id, name or FQDN (several allowed)" },
          "dry-run": { type: "boolean", description: "show what would be removed" },
        },
        async run({ args }) {
          const fg = app.client();
          const refs = args._.length > 0 ? args._ : [args.host];
          if (refs.length === 0) throw new UsageError("name at least one host");
          const targets = [];
          for (const r of refs) targets.push({ ref: r, host: await fg.hosts.get((await resolveHost(fg, r)).id) });
          for (const t of targets)
            app.info(`${args["dry-run"] ? "would remove" : "removing"} ${t.host.name} (${t.host.id})`);
          if (args["dry-run"]) return;
          await app.confirm(`Remove ${targets.length} host(s)?`);
          for (const t of targets) await fg.hosts.delete(t.host.id);
          app.info(`Removed ${targets.length} host(s).`);
        },
      }),
    },
  });
