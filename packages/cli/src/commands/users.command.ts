import { defineCommand } from "citty";
import type { App } from "../app";
import { CliError, EXIT } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { isUuid } from "../selector";
import { tokenColumns, userColumns } from "./columns";
import { durationArg, oneOf } from "./parse";

const ROLES = ["admin", "operator", "reporter"] as const;

async function userId(app: App, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const u = (await app.client().users.list()).find((x) => x.username === ref);
  if (!u) throw new CliError(`no user "${ref}"`, EXIT.notFound);
  return u.id;
}

/** `fleetgate users list|show|create|disable|enable|revoke|reset-mfa`. */
export const users = (app: App) =>
  defineCommand({
    meta: { name: "users", description: "People: list, show, create, disable, enable, revoke, reset-mfa" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List users" },
        async run() {
          const list = await app.client().users.list();
          app.out(renderList(app.format(), list, list, userColumns));
        },
      }),
      show: defineCommand({
        meta: { name: "show", description: "Show a user (id or username)" },
        args: { user: { type: "positional", required: true } },
        async run({ args }) {
          app.out(renderObject(app.format(), await app.client().users.get(await userId(app, args.user))));
        },
      }),
      create: defineCommand({
        meta: {
          name: "create",
          description: "Create a user (the password is prompted or read from FLEETGATE_NEW_PASSWORD)",
        },
        args: {
          username: { type: "positional", required: true },
          email: { type: "string", required: true },
          role: { type: "string", required: true, description: ROLES.join(" | ") },
          "display-name": { type: "string" },
        },
        async run({ args }) {
          const password = await app.ask(app.io.env.FLEETGATE_NEW_PASSWORD, {
            message: `Password for ${args.username}`,
            flag: "FLEETGATE_NEW_PASSWORD",
            secret: true,
          });
          const r = await app.client().users.create({
            username: args.username,
            email: args.email,
            role: oneOf(args.role, ROLES, "--role"),
            password,
            ...(args["display-name"] ? { display_name: args["display-name"] } : {}),
          });
          app.out(renderObject(app.format(), r));
        },
      }),
      disable: defineCommand({
        meta: { name: "disable", description: "Disable a user (ends their sessions)" },
        args: { user: { type: "positional", required: true }, "dry-run": { type: "boolean" } },
        async run({ args }) {
          const id = await userId(app, args.user);
          app.info(`${args["dry-run"] ? "would disable" : "disabling"} ${args.user}`);
          if (args["dry-run"]) return;
          await app.confirm(`Disable ${args.user}?`);
          await app.client().users.update(id, { is_active: false });
        },
      }),
      enable: defineCommand({
        meta: { name: "enable", description: "Enable a disabled user" },
        args: { user: { type: "positional", required: true } },
        async run({ args }) {
          await app.client().users.update(await userId(app, args.user), { is_active: true });
          app.info(`enabled ${args.user}`);
        },
      }),
      revoke: defineCommand({
        meta: { name: "revoke", description: "End every session and refresh token of a user" },
        args: { user: { type: "positional", required: true }, "dry-run": { type: "boolean" } },
        async run({ args }) {
          const id = await userId(app, args.user);
          if (args["dry-run"]) return app.info(`would revoke the sessions of ${args.user}`);
          await app.confirm(`Revoke every session of ${args.user}?`);
          app.out(renderObject(app.format(), await app.client().users.revoke(id)));
        },
      }),
      "reset-mfa": defineCommand({
        meta: { name: "reset-mfa", description: "Remove a user's MFA enrollment" },
        args: { user: { type: "positional", required: true }, "dry-run": { type: "boolean" } },
        async run({ args }) {
          const id = await userId(app, args.user);
          if (args["dry-run"]) return app.info(`would reset the MFA of ${args.user}`);
          await app.confirm(`Reset the MFA of ${args.user}?`);
          await app.client().users.resetMfa(id);
          app.info(`MFA reset for ${args.user}`);
        },
      }),
    },
  });

/** `fleetgate tokens list|create|revoke`: your own API tokens. */
export const tokens = (app: App) =>
  defineCommand({
    meta: { name: "tokens", description: "Your API tokens: list, create, revoke" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List your API tokens" },
        async run() {
          const list = await app.client().tokens.list();
          app.out(renderList(app.format(), list, list, tokenColumns));
        },
      }),
      create: defineCommand({
        meta: { name: "create", description: "Create an API token; the secret is printed once, on stdout" },
        args: {
          name: { type: "positional", required: true },
          expires: { type: "string", description: "lifetime, e.g. 30d (default: no expiry)" },
        },
        async run({ args }) {
          const expires = args.expires
            ? new Date(Date.now() + durationArg(args.expires, "--expires") * 1000).toISOString()
            : undefined;
          const t = await app.client().tokens.create({ name: args.name, ...(expires ? { expires_at: expires } : {}) });
          if (app.format() === "table") {
            app.out(`${t.secret}\n`);
            app.info(`Token "${t.name}" (${t.id}) created; the secret above is shown only once.`);
          } else app.out(renderObject(app.format(), t));
        },
      }),
      revoke: defineCommand({
        meta: { name: "revoke", description: "Delete an API token" },
        args: { id: { type: "positional", required: true }, "dry-run": { type: "boolean" } },
        async run({ args }) {
          if (args["dry-run"]) return app.info(`would revoke token ${args.id}`);
          await app.confirm(`Revoke token ${args.id}?`);
          await app.client().tokens.revoke(args.id);
          app.info(`revoked ${args.id}`);
        },
      }),
    },
  });
