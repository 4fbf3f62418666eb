import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { issuerColumns } from "./columns";
import { intArg } from "./parse";
import { readStdin } from "./stdin";

/** `fleetgate issuers list|show|create|explain|delete`: CI OIDC token issuers. */
export const issuers = (app: App) =>
  defineCommand({
    meta: { name: "issuers", description: "CI token issuers (OIDC exchange): list, show, create, explain, delete" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List token issuers" },
        async run() {
          const list = await app.client().tokenIssuers.list();
          app.out(renderList(app.format(), list, list, issuerColumns));
        },
      }),
      show: defineCommand({
        meta: { name: "show", description: "Show a token issuer" },
        args: { id: { type: "positional", required: true } },
        async run({ args }) {
          app.out(renderObject(app.format(), await app.client().tokenIssuers.get(args.id)));
        },
      }),
      create: defineCommand({
        meta: { name: "create", description: "Trust an OIDC issuer (e.g. GitHub Actions) to mint short-lived tokens" },
        args: {
          name: { type: "string", required: true },
          "issuer-uri": {
            type: "string",
            required: true,
            description: "e.g. https://token.actions.githubusercontent.com",
          },
          audience: { type: "string", required: true },
          condition: { type: "string", required: true, description: 'CEL, e.g. claims.repository == "acme/infra"' },
          "service-account": { type: "string", required: true, description: "service account id the tokens act as" },
          "max-validity": { type: "string", description: "seconds, 30–604800 (default 3600)" },
          description: { type: "string" },
        },
        async run({ args }) {
          const r = await app.client().tokenIssuers.create({
            name: args.name,
            issuer_uri: args["issuer-uri"],
            audience: args.audience,
            condition: args.condition,
            service_account_id: args["service-account"],
            ...(args["max-validity"] ? { max_validity: intArg(args["max-validity"], "--max-validity") } : {}),
            ...(args.description ? { description: args.description } : {}),
          });
          app.out(renderObject(app.format(), r));
        },
      }),
      explain: defineCommand({
        meta: {
          name: "explain",
          description: "Why an ID token would (not) be exchanged (JWT from --jwt-file, --jwt-env or stdin)",
        },
        args: {
          id: { type: "positional", required: true },
          "jwt-file": { type: "string" },
          "jwt-env": { type: "string" },
        },
        async run({ args }) {
          const jwt = (
            args["jwt-file"]
              ? readFileSync(args["jwt-file"], "utf8")
              : args["jwt-env"]
                ? (app.io.env[args["jwt-env"]] ?? "")
                : await readStdin(app.io.stdin)
          ).trim();
          if (!jwt) throw new UsageError("no JWT given (--jwt-file, --jwt-env or stdin)");
          const r = await app.client().tokenIssuers.explain(args.id, jwt);
          if (app.format() !== "table") return app.out(renderObject(app.format(), r));
          for (const c of r.checks) app.out(`${c.ok ? "✓" : "✗"} ${c.check}${c.detail ? `: ${c.detail}` : ""}\n`);
          app.out(`would mint: ${r.would_mint ? "yes" : "no"}\n`);
        },
      }),
      delete: defineCommand({
        meta: { name: "delete", description: "Delete a token issuer" },
        args: { id: { type: "positional", required: true }, "dry-run": { type: "boolean" } },
        async run({ args }) {
          if (args["dry-run"]) return app.info(`would delete issuer ${args.id}`);
          await app.confirm(`Delete token issuer ${args.id}?`);
          await app.client().tokenIssuers.delete(args.id);
          app.info(`deleted ${args.id}`);
        },
      }),
    },
  });
