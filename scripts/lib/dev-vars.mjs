// Creates `.dev.vars` with fresh random secrets the first time, so local dev
// needs no secret created by hand. Never overwrites an existing file.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const secret = () => randomBytes(32).toString("base64");

/** Password that satisfies the policy (upper, lower, digit, symbol) with ~120 bits of entropy. */
export function randomAdminPassword() {
  return `Fg-${randomBytes(15).toString("base64url")}9a!`;
}

/** Ensures .dev.vars exists; returns { created, adminPassword? } (the password only when just created). */
export function ensureDevVars(root) {
  const file = path.join(root, ".dev.vars");
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    if (/^MASTER_KEY=/m.test(text) && /^PASSWORD_PEPPER=/m.test(text)) return { created: false };
  }
  const adminPassword = randomAdminPassword();
  const lines = [
    "# Written by `pnpm dev` on first start. Local development only; never commit.",
    `MASTER_KEY=${secret()}`,
    `PASSWORD_PEPPER=${secret()}`,
    "FLEETGATE_ADMIN_USERNAME=admin",
    `FLEETGATE_ADMIN_PASSWORD=${adminPassword}`,
    "",
  ];
  writeFileSync(file, lines.join("\n"), { mode: 0o600 });
  return { created: true, adminPassword };
}
