import type { HostScript } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { renderList } from "../output";
import { parseSelector, resolveSelector } from "../selector";

interface ScriptRow {
  name: string;
  description: string;
  hosts: string[];
}

/** `fleetgate scripts list [--hosts sel]`: the scripts hosts allowlist, and on how many hosts. */
export const scripts = (app: App) =>
  defineCommand({
    meta: { name: "scripts", description: "Allowlisted scripts reported by the agents" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "Scripts the selected hosts allowlist (default: every host)" },
        args: { hosts: { type: "string", description: "host selector (name:web-*,group:prod,…)" } },
        async run({ args }) {
          const fg = app.client();
          let hostList: { id: string; name: string }[] = [];
          if (args.hosts) {
            const t = await resolveSelector(fg, parseSelector(args.hosts));
            hostList = t.hosts ?? [];
            if (!t.hosts) for await (const h of fg.hosts.listAll()) hostList.push(h);
          } else for await (const h of fg.hosts.listAll()) hostList.push(h);
          const byName = new Map<string, ScriptRow>();
          const perHost: { host: string; scripts: HostScript[] }[] = [];
          for (const h of hostList) {
            const list = await fg.hosts.scripts(h.id);
            perHost.push({ host: h.name, scripts: list });
            for (const s of list) {
              const row = byName.get(s.name) ?? { name: s.name, description: s.description, hosts: [] };
              row.hosts.push(h.name);
              byName.set(s.name, row);
            }
          }
          const rows = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
          app.out(
            renderList(app.format(), perHost, rows, [
              { header: "script", value: (r) => r.name },
              { header: "hosts", value: (r) => r.hosts.length },
              { header: "description", value: (r) => r.description },
              { header: "on", value: (r) => r.hosts.slice(0, 5).join(" ") + (r.hosts.length > 5 ? " …" : "") },
            ]),
          );
        },
      }),
    },
  });
