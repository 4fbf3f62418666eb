// Makes sure `.dev.vars` holds what local dev needs, without ever overwriting a line the
// user wrote: missing secrets are generated and appended; the bootstrap admin comes from
// the environment (FLEETGATE_ADMIN_USERNAME / FLEETGATE_ADMIN_PASSWORD) when set there,
// else from the file, else a random password is generated, appended and shown once.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const secret = () => randomBytes(32).toString("base64");

/** Password that satisfies the policy (upper, lower, digit, symbol) with ~120 bits of entropy. */
export function randomAdminPassword() {
  return `Fg-${randomBytes(15).toString("base64url")}9a!`;
}

/** Keys set in a .dev.vars text (`KEY=value` lines; comments and blanks ignored). */
export function parseDevVars(text) {
  const out = new Map();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m?.[1]) out.set(m[1], m[2]?.trim().replace(/^(["'])(.*)\1$/, "$2") ?? "");
  }
  return out;
}

/**
 * Ensures .dev.vars is complete. Returns { created, added, adminPassword?, adminFromEnv, vars }:
 * `added` lists the keys appended, `adminPassword` is set only when one was just generated,
 * and `vars` are the values to pass to wrangler on top of the file (the admin from the environment).
 */
export function ensureDevVars(root, env = process.env) {
  const file = path.join(root, ".dev.vars");
  const existed = existsSync(file);
  const text = existed ? readFileSync(file, "utf8") : "";
  const have = parseDevVars(text);
  const add = [];
  if (!have.get("MASTER_KEY")) add.push(["MASTER_KEY", secret()]);
  if (!have.get("PASSWORD_PEPPER")) add.push(["PASSWORD_PEPPER", secret()]);
  const adminFromEnv = Boolean(env.FLEETGATE_ADMIN_PASSWORD);
  let adminPassword;
  if (!adminFromEnv && !have.get("FLEETGATE_ADMIN_PASSWORD")) {
    adminPassword = randomAdminPassword();
    if (!have.get("FLEETGATE_ADMIN_USERNAME")) add.push(["FLEETGATE_ADMIN_USERNAME", "admin"]);
    add.push(["FLEETGATE_ADMIN_PASSWORD", adminPassword]);
  }
  if (add.length > 0) {
    const head = existed ? "" : "# Written by `pnpm dev`. Local development only; never commit.\n";
    const sep = text === "" || text.endsWith("\n") ? "" : "\n";
    const lines = add.map(([k, v]) => `${k}=${v}`).join("\n");
    writeFileSync(file, `${text}${sep}${head}${existed ? "# Added by `pnpm dev`:\n" : ""}${lines}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const vars = {};
  if (adminFromEnv) {
    vars.FLEETGATE_ADMIN_PASSWORD = env.FLEETGATE_ADMIN_PASSWORD;
    vars.FLEETGATE_ADMIN_USERNAME = env.FLEETGATE_ADMIN_USERNAME || have.get("FLEETGATE_ADMIN_USERNAME") || "admin";
  }
  return { created: !existed, added: add.map(([k]) => k), adminPassword, adminFromEnv, vars };
}
