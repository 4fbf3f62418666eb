import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { FleetgateError } from "@fleetgate/sdk";
import { createZentralClient } from "@fleetgate/sdk/zentral";
import { defineCommand } from "citty";
import { type App, normaliseUrl } from "../app";
import { CliError, EXIT, UsageError } from "../exit-codes";
import { intArg } from "./parse";

const ciArgs = {
  issuer: { type: "string", description: "token issuer id (env FLEETGATE_ISSUER)" },
  audience: {
    type: "string",
    description: "audience of the requested ID token (env FLEETGATE_AUDIENCE; default fleetgate)",
  },
  validity: { type: "string", description: "token lifetime in seconds, 30–604800 (default: the issuer's maximum)" },
  name: { type: "string", description: "name of the minted token (default: ci-<run id>)" },
  "jwt-env": { type: "string", description: "read the ID token from this environment variable (GitLab id_tokens:)" },
  "jwt-file": { type: "string", description: "read the ID token from this file" },
} as const;

type CiArgs = { [K in keyof typeof ciArgs]?: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The job's OIDC ID token from GitHub Actions (actions/toolkit core/src/oidc-utils.ts):
 * GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the request token as Bearer → {"value": JWT}.
 * Retried like the toolkit (up to 10 attempts) on network errors and 5xx.
 */
export async function githubIdToken(env: Record<string, string | undefined>, audience: string): Promise<string> {
  const base = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!base || !bearer) {
    throw new UsageError(
      "no ID token source: in GitHub Actions grant `permissions: id-token: write`; elsewhere pass --jwt-env or --jwt-file",
    );
  }
  const url = new URL(base);
  url.searchParams.set("audience", audience);
  let last = "";
  for (let attempt = 0; attempt < 10; attempt++) {
    if (attempt > 0) await sleep(Math.min(1000 * 2 ** (attempt - 1), 10_000));
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${bearer}`, accept: "application/json" } });
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
      continue;
    }
    if (res.status >= 500 || res.status === 429) {
      last = `HTTP ${res.status}`;
      continue;
    }
    if (!res.ok) throw new CliError(`the ID token request was refused: HTTP ${res.status}`, EXIT.auth);
    const body = (await res.json().catch(() => undefined)) as { value?: unknown } | undefined;
    if (typeof body?.value !== "string" || !body.value)
      throw new CliError("the ID token response has no value", EXIT.error);
    return body.value;
  }
  throw new CliError(`could not get the ID token: ${last}`, EXIT.error);
}

/** Exchanges the CI job's ID token for a short-lived ztls_ token; masks both in GitHub Actions logs. */
async function exchange(app: App, args: CiArgs): Promise<{ url: string; secret: string; expiry: string }> {
  const env = app.io.env;
  const rawUrl = app.globals.url ?? env.FLEETGATE_URL ?? app.store.getContext(app.contextName())?.url;
  if (!rawUrl) throw new UsageError("--url (or FLEETGATE_URL) is required");
  const url = normaliseUrl(rawUrl);
  const issuer = args.issuer ?? env.FLEETGATE_ISSUER;
  if (!issuer) throw new UsageError("--issuer (or FLEETGATE_ISSUER) is required");
  const inGithub = env.GITHUB_ACTIONS === "true";
  let jwt: string;
  if (args["jwt-file"]) jwt = readFileSync(args["jwt-file"], "utf8").trim();
  else if (args["jwt-env"]) jwt = (env[args["jwt-env"]] ?? "").trim();
  else jwt = await githubIdToken(env, args.audience ?? env.FLEETGATE_AUDIENCE ?? "fleetgate");
  if (!jwt) throw new UsageError("the ID token is empty");
  // Workflow commands are read from stdout; mask before anything could print the value.
  if (inGithub) app.out(`::add-mask::${jwt}\n`);
  const validity = args.validity ? intArg(args.validity, "--validity") : undefined;
  const runId = env.GITHUB_RUN_ID ?? env.CI_JOB_ID;
  const name = args.name ?? (runId ? `ci-${runId}` : "ci");
  try {
    const r = await createZentralClient({ url }).exchangeOidcToken(issuer, {
      jwt,
      name,
      ...(validity ? { validity } : {}),
    });
    if (/[\r\n]/.test(r.secret)) throw new CliError("the server returned a malformed token", EXIT.error);
    if (inGithub) app.out(`::add-mask::${r.secret}\n`);
    return { url, secret: r.secret, expiry: r.expiry };
  } catch (err) {
    if (err instanceof FleetgateError && err.status === 400) {
      throw new CliError(`the token exchange was refused: ${err.message}`, EXIT.auth);
    }
    throw err;
  }
}

/** `fleetgate ci login|exec`: no stored secret in CI, only the job's own OIDC identity. */
export const ci = (app: App) =>
  defineCommand({
    meta: { name: "ci", description: "CI jobs: exchange the job's OIDC token for a short-lived Fleetgate token" },
    subCommands: {
      login: defineCommand({
        meta: {
          name: "login",
          description: "Get a short-lived token: into $GITHUB_ENV in GitHub Actions, else printed on stdout",
        },
        args: ciArgs,
        async run({ args }) {
          const r = await exchange(app, args);
          const githubEnv = app.io.env.GITHUB_ENV;
          if (githubEnv) {
            appendFileSync(githubEnv, `FLEETGATE_URL=${r.url}\nFLEETGATE_TOKEN=${r.secret}\n`);
            app.info(`FLEETGATE_TOKEN (valid until ${r.expiry} UTC) and FLEETGATE_URL set for the next steps.`);
          } else {
            app.out(`${r.secret}\n`);
            app.info(`token valid until ${r.expiry} UTC`);
          }
        },
      }),
      exec: defineCommand({
        meta: { name: "exec", description: "Run a command with FLEETGATE_TOKEN/FLEETGATE_URL set: ci exec -- <cmd>" },
        args: ciArgs,
        async run({ args }) {
          const [cmd, ...rest] = app.passthrough;
          if (!cmd) throw new UsageError("ci exec needs a command after --");
          const r = await exchange(app, args);
          app.exitCode = await new Promise<number>((resolve, reject) => {
            const child = spawn(cmd, rest, {
              stdio: "inherit",
              env: { ...process.env, ...app.io.env, FLEETGATE_URL: r.url, FLEETGATE_TOKEN: r.secret },
            });
            const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
            const onInt = forward("SIGINT");
            const onTerm = forward("SIGTERM");
            process.on("SIGINT", onInt);
            process.on("SIGTERM", onTerm);
            child.on("error", (e) => reject(new CliError(`cannot run ${cmd}: ${e.message}`, 127)));
            child.on("exit", (code, signal) => {
              process.off("SIGINT", onInt);
              process.off("SIGTERM", onTerm);
              resolve(code ?? (signal === "SIGINT" ? EXIT.interrupted : EXIT.error));
            });
          });
        },
      }),
    },
  });
