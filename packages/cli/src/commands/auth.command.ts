import { hostname } from "node:os";
import { AuthenticationError, type Fleetgate } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import { type App, normaliseUrl } from "../app";
import { fromSession } from "../config";
import { CliError, EXIT, UsageError } from "../exit-codes";
import { renderList, renderObject } from "../output";
import { readStdin } from "./stdin";

/** `fleetgate login`: password (+ TOTP), `--sso` (device code approved in the dashboard), or `--with-token` from stdin. */
export const login = (app: App) =>
  defineCommand({
    meta: { name: "login", description: "Sign in and store the session for a context (--url, --context)" },
    args: {
      username: { type: "string", alias: "u", description: "user name (prompted when missing)" },
      password: { type: "string", description: "password (prefer the prompt or FLEETGATE_PASSWORD)" },
      totp: { type: "string", description: "TOTP or recovery code (prompted when MFA asks for it)" },
      "with-token": { type: "boolean", description: "read an API token (ztlu_/ztls_) from stdin instead" },
      sso: {
        type: "boolean",
        description: "sign in through the browser (SSO): approve the shown code in the dashboard",
      },
    },
    async run({ args }) {
      const context = app.contextName();
      const stored = app.store.getContext(context)?.url;
      const url = normaliseUrl(
        await app.ask(app.globals.url ?? app.io.env.FLEETGATE_URL ?? stored, { message: "Server URL", flag: "--url" }),
      );
      if (args["with-token"]) {
        const token = (await readStdin(app.io.stdin)).trim();
        if (!token) throw new UsageError("--with-token reads the token from stdin; it was empty");
        const fg = app.client({ context, url, credentials: { kind: "token", token }, source: "env" });
        const me = await fg.users.me();
        app.store.setContext(context, { url }, true);
        app.store.setCredentials(context, { kind: "token", token });
        app.info(`Logged in to ${url} as ${me.username} (${me.role}) with an API token; context "${context}".`);
        return;
      }
      if (args.sso) {
        const fg = app.client({ context, url, credentials: undefined, source: "env" });
        const result = await fg.auth.deviceLogin({
          clientName: `fleetgate CLI on ${hostname()}`,
          signal: app.io.signal,
          onCode: (code) => {
            app.info(`To sign in, open ${code.verificationUri} and check that it shows the code ${code.userCode}`);
            app.info(`  (direct link: ${code.verificationUriComplete})`);
            app.info("Waiting for the approval…");
          },
        });
        app.store.setContext(context, { url }, true);
        app.store.setCredentials(context, fromSession(result.session, result.user.username));
        app.info(
          `Logged in to ${url} as ${result.user.username} (${result.user.role}) through SSO; context "${context}".`,
        );
        return;
      }
      const username = await app.ask(args.username, { message: "Username", flag: "--username" });
      const password = await app.ask(args.password ?? app.io.env.FLEETGATE_PASSWORD, {
        message: "Password",
        flag: "--password (or FLEETGATE_PASSWORD)",
        secret: true,
      });
      const fg = app.client({ context, url, credentials: undefined, source: "env" });
      let result: Awaited<ReturnType<Fleetgate["auth"]["login"]>>;
      try {
        result = await fg.auth.login({ username, password, ...(args.totp ? { totp_code: args.totp } : {}) });
      } catch (err) {
        if (!(err instanceof AuthenticationError && err.code === "mfa_required") || args.totp) throw err;
        const totp = await app.ask(undefined, { message: "TOTP code", flag: "--totp", secret: true });
        result = await fg.auth.login({ username, password, totp_code: totp });
      }
      app.store.setContext(context, { url }, true);
      app.store.setCredentials(context, fromSession(result.session, result.user.username));
      app.info(`Logged in to ${url} as ${result.user.username} (${result.user.role}); context "${context}".`);
    },
  });

/** `fleetgate logout`: ends the session on the server and forgets the stored credentials. */
export const logout = (app: App) =>
  defineCommand({
    meta: { name: "logout", description: "End the session on the server and forget the stored credentials" },
    async run() {
      const target = app.target();
      if (target.source === "env") throw new UsageError("FLEETGATE_TOKEN is set: there is nothing stored to log out");
      if (target.source === "none") {
        app.info(`Not logged in (context "${target.context}").`);
        return;
      }
      try {
        await app.client(target).auth.logout();
      } finally {
        app.store.setCredentials(target.context, undefined);
      }
      app.info(`Logged out of ${target.url} (context "${target.context}").`);
    },
  });

/** `fleetgate whoami`: who the credentials are, and until when. */
export const whoami = (app: App) =>
  defineCommand({
    meta: { name: "whoami", description: "Show the signed-in identity, context and credential expiry" },
    async run() {
      const target = app.target();
      if (!target.credentials) throw new CliError(`Not logged in (context "${target.context}")`, EXIT.auth);
      const me = await app.client(target).users.me();
      if (app.format() !== "table") {
        app.out(renderObject(app.format(), me));
        return;
      }
      const creds = app.client(target).auth.credentials;
      const expiry =
        creds?.kind === "session"
          ? `session, refreshed automatically (access token until ${new Date(creds.expiresAt).toISOString()})`
          : target.source === "env"
            ? "API token from FLEETGATE_TOKEN"
            : "stored API token";
      app.out(
        renderObject("table", {
          username: me.username,
          role: me.role,
          mfa: me.mfa_enabled ? "enabled" : "disabled",
          context: target.context,
          server: target.url,
          credentials: expiry,
        }),
      );
    },
  });

/** `fleetgate context list|use|add|remove`. */
export const context = (app: App) =>
  defineCommand({
    meta: { name: "context", description: "Named servers: list, use, add, remove" },
    subCommands: {
      list: defineCommand({
        meta: { name: "list", description: "List contexts (* marks the current one)" },
        run() {
          const current = app.contextName();
          const rows = Object.entries(app.store.contexts()).map(([name, c]) => ({
            current: name === current ? "*" : "",
            name,
            url: c.url,
            logged_in: app.store.getCredentials(name) ? "yes" : "no",
          }));
          app.out(
            renderList(app.format(), rows, rows, [
              { header: "current", value: (r) => r.current },
              { header: "name", value: (r) => r.name },
              { header: "url", value: (r) => r.url },
              { header: "logged in", value: (r) => r.logged_in },
            ]),
          );
        },
      }),
      use: defineCommand({
        meta: { name: "use", description: "Make a context the current one" },
        args: { name: { type: "positional", required: true } },
        run({ args }) {
          app.store.useContext(args.name);
          app.info(`Now using context "${args.name}".`);
        },
      }),
      add: defineCommand({
        meta: { name: "add", description: "Add (or change) a context" },
        args: { name: { type: "positional", required: true }, url: { type: "positional", required: true } },
        run({ args }) {
          app.store.setContext(args.name, { url: normaliseUrl(args.url) }, false);
          app.info(
            `Context "${args.name}" → ${normaliseUrl(args.url)}. Log in with: fleetgate login --context ${args.name}`,
          );
        },
      }),
      remove: defineCommand({
        meta: { name: "remove", description: "Remove a context and its stored credentials" },
        args: { name: { type: "positional", required: true } },
        run({ args }) {
          if (!app.store.removeContext(args.name)) throw new CliError(`no context "${args.name}"`, EXIT.notFound);
          app.info(`Removed context "${args.name}".`);
        },
      }),
    },
  });
