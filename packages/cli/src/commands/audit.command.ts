import type { AuditEntry } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { renderList } from "../output";
import { auditColumns } from "./columns";
import { durationArg, intArg } from "./parse";

/** `--since 2h` or an ISO timestamp → ISO timestamp. */
function since(value: string): string {
  if (/^\d+[smhd]?$/.test(value)) return new Date(Date.now() - durationArg(value, "--since") * 1000).toISOString();
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError("--since is a duration (2h, 7d) or an ISO timestamp");
  return d.toISOString();
}

/** `fleetgate audit list`. */
export const audit = (app: App) =>
  defineCommand({
    meta: { name: "audit", description: "The audit log" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "Audit entries, newest first (-o ndjson for pipelines)" },
        args: {
          actor: { type: "string" },
          action: { type: "string" },
          target: { type: "string" },
          since: { type: "string", description: "duration (2h, 7d) or ISO timestamp" },
          until: { type: "string", description: "ISO timestamp" },
          limit: { type: "string", description: "at most this many entries (default 100)" },
          all: { type: "boolean", description: "every matching entry (follows the cursor)" },
        },
        async run({ args }) {
          const fg = app.client();
          const want = args.all ? Number.POSITIVE_INFINITY : args.limit ? intArg(args.limit, "--limit") : 100;
          const query = {
            ...(args.actor ? { actor: args.actor } : {}),
            ...(args.action ? { action: args.action } : {}),
            ...(args.target ? { target: args.target } : {}),
            ...(args.since ? { from: since(args.since) } : {}),
            ...(args.until ? { to: since(args.until) } : {}),
          };
          const entries: AuditEntry[] = [];
          let cursor: number | undefined;
          let page: Awaited<ReturnType<typeof fg.audit.list>> | undefined;
          do {
            page = await fg.audit.list({
              ...query,
              limit: Math.min(500, want - entries.length),
              ...(cursor ? { cursor } : {}),
            });
            entries.push(...page.entries);
            cursor = page.next_cursor ?? undefined;
          } while (cursor && entries.length < want);
          const body = entries.length === page.entries.length ? page : { entries, next_cursor: cursor ?? null };
          app.out(renderList(app.format(), body, entries, auditColumns));
        },
      }),
    },
  });
