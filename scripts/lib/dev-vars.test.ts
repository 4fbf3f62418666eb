import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDevVars, parseDevVars } from "./dev-vars.mjs";

let dir: string;
const file = () => path.join(dir, ".dev.vars");
const read = () => readFileSync(file(), "utf8");
const ensure = (env: Record<string, string> = {}) => ensureDevVars(dir, env);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "devvars-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("ensureDevVars", () => {
  it("creates a complete file (0600) with a generated admin password on first start", () => {
    const r = ensure();
    expect(r.created).toBe(true);
    expect(r.added).toEqual(["MASTER_KEY", "PASSWORD_PEPPER", "FLEETGATE_ADMIN_USERNAME", "FLEETGATE_ADMIN_PASSWORD"]);
    const vars = parseDevVars(read());
    expect(vars.get("FLEETGATE_ADMIN_PASSWORD")).toBe(r.adminPassword);
    expect(Buffer.from(vars.get("MASTER_KEY") ?? "", "base64")).toHaveLength(32);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it("completes a file holding only the admin lines, keeping them, with no generated password", () => {
    writeFileSync(file(), "FLEETGATE_ADMIN_USERNAME=ops\nFLEETGATE_ADMIN_PASSWORD=Mine-Pass-123!\n");
    const r = ensure();
    expect(r.created).toBe(false);
    expect(r.added).toEqual(["MASTER_KEY", "PASSWORD_PEPPER"]);
    expect(r.adminPassword).toBeUndefined();
    const text = read();
    expect(text.startsWith("FLEETGATE_ADMIN_USERNAME=ops\nFLEETGATE_ADMIN_PASSWORD=Mine-Pass-123!\n")).toBe(true);
    expect(parseDevVars(text).get("MASTER_KEY")).toBeTruthy();
  });

  it("takes the admin from the environment: nothing generated, passed on as vars", () => {
    const r = ensure({ FLEETGATE_ADMIN_USERNAME: "root", FLEETGATE_ADMIN_PASSWORD: "Env-Pass-123!" });
    expect(r.adminPassword).toBeUndefined();
    expect(r.adminFromEnv).toBe(true);
    expect(r.vars).toEqual({ FLEETGATE_ADMIN_USERNAME: "root", FLEETGATE_ADMIN_PASSWORD: "Env-Pass-123!" });
    expect(parseDevVars(read()).has("FLEETGATE_ADMIN_PASSWORD")).toBe(false);
  });

  it("leaves a complete file untouched", () => {
    ensure();
    const before = read();
    const r = ensure();
    expect(r.added).toEqual([]);
    expect(read()).toBe(before);
  });

  it("appends after a last line without a newline", () => {
    writeFileSync(file(), "MASTER_KEY=abc");
    ensure({ FLEETGATE_ADMIN_PASSWORD: "Env-Pass-123!" });
    expect(read().split("\n")[0]).toBe("MASTER_KEY=abc");
    expect(parseDevVars(read()).get("MASTER_KEY")).toBe("abc");
    expect(parseDevVars(read()).get("PASSWORD_PEPPER")).toBeTruthy();
  });
});
