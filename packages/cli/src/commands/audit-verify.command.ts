import { readFileSync } from "node:fs";
import type { AuditCheckpoint, CheckpointKey, LedgerEntry } from "@fleetgate/sdk";
import { verifyAuditLedger } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { CliError, EXIT, UsageError } from "../exit-codes";
import { renderList } from "../output";
import { readStdin } from "./stdin";

/** JSON or NDJSON text → values (a file saved with `-o json` or `-o ndjson`). */
function parseJsonOrNdjson(text: string, what: string): unknown[] {
  const t = text.trim();
  if (!t) return [];
  try {
    return [JSON.parse(t) as unknown];
  } catch {
    try {
      return t
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown);
    } catch {
      throw new UsageError(`${what} is neither JSON nor NDJSON`);
    }
  }
}

/** Items of a saved list: the API page (`{<field>: [...]}`), a bare array, or NDJSON items. */
function items<T>(values: unknown[], field: string): T[] {
  if (values.length === 1) {
    const v = values[0];
    if (Array.isArray(v)) return v as T[];
    if (typeof v === "object" && v !== null && Array.isArray((v as Record<string, unknown>)[field])) {
      return (v as Record<string, T[]>)[field] ?? [];
    }
  }
  return values as T[];
}

function keysFrom(values: unknown[]): CheckpointKey[] {
  const v = values[0];
  if (typeof v !== "object" || v === null) return [];
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.keys)) return o.keys as CheckpointKey[];
  if (typeof o.jwks === "object" && o.jwks !== null)
    return ((o.jwks as { keys?: CheckpointKey[] }).keys ?? []) as CheckpointKey[];
  if (o.kty === "OKP") return [o as unknown as CheckpointKey];
  return [];
}

async function readSource(app: App, file: string): Promise<string> {
  return file === "-" ? readStdin(app.io.stdin) : readFileSync(file, "utf8");
}

/** `fleetgate audit checkpoints`: the signed checkpoints (save with -o json to verify later, offline). */
export const auditCheckpoints = (app: App) =>
  defineCommand({
    meta: {
      name: "checkpoints",
      description: "Signed ledger checkpoints (save with -o json; verify with audit verify)",
    },
    args: { all: { type: "boolean", description: "every checkpoint (default: the newest 20)" } },
    async run({ args }) {
      const fg = app.client();
      let page = await fg.audit.checkpoints({ limit: args.all ? 500 : 20 });
      const all = [...page.checkpoints];
      while (args.all && page.next_cursor) {
        page = await fg.audit.checkpoints({ limit: 500, cursor: page.next_cursor });
        all.push(...page.checkpoints);
      }
      const body = { checkpoints: all, next_cursor: args.all ? null : page.next_cursor, jwks: page.jwks };
      app.out(
        renderList(app.format(), body, all, [
          { header: "size", value: (c) => c.size },
          { header: "head hash", value: (c) => c.head_hash },
          { header: "time", value: (c) => c.timestamp },
          { header: "key", value: (c) => c.key_id },
        ]),
      );
    },
  });

/** `fleetgate audit verify`: offline verification of checkpoints and entries against a pinned key. */
export const auditVerify = (app: App) =>
  defineCommand({
    meta: { name: "verify", description: "Verify signed checkpoints (and entries) offline against the published key" },
    args: {
      checkpoints: {
        type: "string",
        description: "saved checkpoints (audit checkpoints -o json); default: fetch them",
      },
      key: { type: "string", description: "the pinned public key (JWKS or JWK file); default: from --checkpoints" },
      entries: { type: "string", description: "entries to check against them (audit list --all -o ndjson; - = stdin)" },
    },
    async run({ args }) {
      let checkpoints: AuditCheckpoint[];
      let keys: CheckpointKey[] = [];
      if (args.checkpoints) {
        const values = parseJsonOrNdjson(await readSource(app, args.checkpoints), "--checkpoints");
        checkpoints = items<AuditCheckpoint>(values, "checkpoints");
        keys = keysFrom(values);
      } else {
        const fg = app.client();
        let page = await fg.audit.checkpoints({ limit: 500 });
        checkpoints = [...page.checkpoints];
        while (page.next_cursor) {
          page = await fg.audit.checkpoints({ limit: 500, cursor: page.next_cursor });
          checkpoints.push(...page.checkpoints);
        }
        keys = page.jwks.keys;
      }
      if (args.key) keys = keysFrom(parseJsonOrNdjson(readFileSync(args.key, "utf8"), "--key"));
      else
        app.info(
          "warning: the key was not pinned (--key): it came with the checkpoints, so a rewrite by the server itself would not show.",
        );
      if (keys.length === 0) throw new UsageError("no Ed25519 key to verify with (--key jwks.json)");
      if (checkpoints.length === 0) throw new CliError("no checkpoints to verify", EXIT.notFound);
      const entries = args.entries
        ? items<LedgerEntry>(parseJsonOrNdjson(await readSource(app, args.entries), "--entries"), "entries")
        : undefined;
      const report = await verifyAuditLedger({ checkpoints, keys, ...(entries ? { entries } : {}) });
      if (app.format() === "json" || app.format() === "ndjson")
        app.out(`${JSON.stringify(report, null, app.format() === "json" ? 2 : 0)}\n`);
      else {
        for (const p of report.problems) app.out(`${app.paint("red", "✗")} ${p.item}: ${p.problem}\n`);
        const summary = `${report.checkpoints_checked} checkpoint(s), ${report.entries_checked} entr(ies) checked`;
        app.out(
          report.ok
            ? `${app.paint("green", "✓")} ${summary}; ledger verified up to size ${report.verified_size}\n`
            : `${summary}: ${report.problems.length} problem(s)\n`,
        );
      }
      if (!report.ok) app.exitCode = EXIT.error;
    },
  });
