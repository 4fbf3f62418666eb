import type { Schemas } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { CliError, EXIT, UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { resolveHost } from "../selector";
import { checkColumns } from "./patch-columns";

/** `fleetgate checks list|create|delete|test`: the health checks that gate patch rollouts. */
export const checks = (app: App) =>
  defineCommand({
    meta: { name: "checks", description: "Health checks: list, create, delete, test" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "Health checks of the hosts you can see (--host: one host)" },
        args: { host: { type: "string", description: "only this host (id, name or FQDN)" } },
        async run({ args }) {
          const fg = app.client();
          const body = await fg.checks.list(args.host ? (await resolveHost(fg, args.host)).id : undefined);
          app.out(renderList(app.format(), body, body.checks, checkColumns));
        },
      }),
      create: defineCommand({
        meta: { name: "create", description: "Add a check to a host: --service <unit> or --http <URL>" },
        args: {
          host: { type: "positional", required: true, description: "id, name or FQDN" },
          name: { type: "string", required: true },
          service: { type: "string", description: "systemd unit that must be active" },
          http: { type: "string", description: "URL that must answer 2xx (checked from the host)" },
          expect: { type: "string", description: "text the HTTP body must contain" },
          insecure: { type: "boolean", description: "do not verify the URL's TLS certificate" },
          "auth-user": { type: "string", description: "HTTP basic auth user" },
          "auth-password-env": { type: "string", description: "name of the variable holding the basic auth password" },
        },
        async run({ args }) {
          if (Boolean(args.service) === Boolean(args.http))
            throw new UsageError("give exactly one of --service, --http");
          const passVar = args["auth-password-env"];
          const password = passVar ? app.io.env[passVar] : undefined;
          if (passVar && !password) throw new UsageError(`${passVar} is not set`);
          const body: Schemas["CreateHealthCheck"] = args.service
            ? { name: args.name, check_type: "service", service_name: args.service }
            : {
                name: args.name,
                check_type: "http",
                url: args.http,
                ...(args.expect ? { expected_body: args.expect } : {}),
                ...(args.insecure ? { ignore_cert_errors: true } : {}),
                ...(args["auth-user"] ? { basic_auth_user: args["auth-user"] } : {}),
                ...(password ? { basic_auth_pass: password } : {}),
              };
          const fg = app.client();
          const created = await fg.checks.create((await resolveHost(fg, args.host)).id, body);
          app.out(app.format() === "table" ? `${created.id}\n` : renderObject(app.format(), created));
        },
      }),
      delete: defineCommand({
        meta: { name: "delete", description: "Remove a check" },
        args: {
          host: { type: "positional", required: true, description: "id, name or FQDN" },
          id: { type: "positional", required: true, description: "check id" },
          "dry-run": { type: "boolean" },
        },
        async run({ args }) {
          const fg = app.client();
          const hostId = (await resolveHost(fg, args.host)).id;
          app.info(`${args["dry-run"] ? "would delete" : "deleting"} check ${args.id} of host ${args.host}`);
          if (args["dry-run"]) return;
          await app.confirm(`Delete check ${args.id}?`);
          await fg.checks.delete(hostId, args.id);
        },
      }),
      test: defineCommand({
        meta: { name: "test", description: "Run a check on its host now (exit 1 when unhealthy)" },
        args: {
          host: { type: "positional", required: true, description: "id, name or FQDN" },
          id: { type: "positional", required: true, description: "check id" },
        },
        async run({ args }) {
          const fg = app.client();
          const r = await fg.checks.test((await resolveHost(fg, args.host)).id, args.id);
          if (app.format() === "table")
            app.out(`${r.healthy ? "healthy" : "unhealthy"} (${r.latency_ms} ms) ${r.detail}\n`);
          else app.out(renderObject(app.format(), r));
          if (!r.healthy) throw new CliError(`check ${args.id} is unhealthy`, EXIT.error);
        },
      }),
    },
  });
