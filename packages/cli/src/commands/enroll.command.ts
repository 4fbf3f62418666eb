import { defineCommand } from "citty";
import type { App } from "../app";
import { renderList, renderObject } from "../output";
import { pendingColumns } from "./columns";
import { durationArg } from "./parse";

/** Shell lines that install the agent's config and enroll with the token (printed by --print-install). */
export function installSnippet(url: string, jwt: string): string {
  return [
    "sudo install -d -m 0755 /etc/fleetgate",
    `printf 'server: %s\\nstate_dir: /var/lib/fleetgate-agent\\n' '${url}' | sudo tee /etc/fleetgate/agent.yaml >/dev/null`,
    `sudo fleetgate-agent enroll --config /etc/fleetgate/agent.yaml --token '${jwt}'`,
    "",
  ].join("\n");
}

/** `fleetgate enroll token create|pending|approve|deny`. */
export const enroll = (app: App) =>
  defineCommand({
    meta: { name: "enroll", description: "Host enrollment: one-time tokens and the approval queue" },
    subCommands: {
      token: defineCommand({
        meta: { name: "token", description: "One-time enrollment tokens" },
        subCommands: {
          create: defineCommand({
            meta: { name: "create", description: "Create a one-time enrollment token for a host" },
            args: {
              name: { type: "string", required: true, description: "the host's name (e.g. web-01)" },
              ttl: { type: "string", description: "validity, e.g. 3h (default 3h, minimum 5m)" },
              "print-install": { type: "boolean", description: "print the commands to run on the host" },
            },
            async run({ args }) {
              const fg = app.client();
              const e = await fg.enrollments.create({
                name: args.name,
                kind: "host",
                method: "ott",
                ...(args.ttl ? { expires_in: durationArg(args.ttl, "--ttl") } : {}),
              });
              if (args["print-install"]) {
                if (!e.jwt) throw new Error("the server returned no token");
                app.info(`# On ${args.name}, with fleetgate-agent installed (token valid until ${e.expires_at}):`);
                app.out(installSnippet(app.target().url, e.jwt));
                return;
              }
              app.out(renderObject(app.format(), e));
            },
          }),
        },
      }),
      pending: defineCommand({
        meta: { name: "pending", description: "Self-enrollment requests waiting for approval" },
        async run() {
          const list = await app.client().enrollments.pending();
          app.out(renderList(app.format(), list, list, pendingColumns));
        },
      }),
      approve: defineCommand({
        meta: { name: "approve", description: "Approve self-enrollment requests" },
        args: { id: { type: "positional", required: true, description: "request id (several allowed)" } },
        async run({ args }) {
          const fg = app.client();
          for (const id of args._.length > 0 ? args._ : [args.id]) {
            const r = await fg.enrollments.approve(id);
            if (app.format() !== "table") app.out(renderObject(app.format(), r));
            app.info(`approved ${id}`);
          }
        },
      }),
      deny: defineCommand({
        meta: { name: "deny", description: "Deny self-enrollment requests" },
        args: {
          id: { type: "positional", required: true, description: "request id (several allowed)" },
          "dry-run": { type: "boolean", description: "show what would be denied" },
        },
        async run({ args }) {
          const fg = app.client();
          const ids = args._.length > 0 ? args._ : [args.id];
          const pending = await fg.enrollments.pending();
          for (const id of ids) {
            const p = pending.find((x) => x.id === id);
            app.info(
              `${args["dry-run"] ? "would deny" : "denying"} ${id}${p ? ` (${p.fqdn}, ${p.ip_address})` : " (not pending)"}`,
            );
          }
          if (args["dry-run"]) return;
          await app.confirm(`Deny ${ids.length} request(s)?`);
          for (const id of ids) await fg.enrollments.deny(id);
        },
      }),
    },
  });
