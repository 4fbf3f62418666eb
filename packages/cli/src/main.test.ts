import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { err, type Handler, json, startHarness } from "./test-harness";

const h = await startHarness();
const { url, seen, cli } = h;
let handler: Handler;
h.handle((req, body, res) => handler(req, body, res));
afterAll(() => h.close());
afterEach(() => h.reset());

const me = { id: "u1", username: "ada", display_name: "Ada", role: "admin", mfa_enabled: true };
const loginBody = { access_token: "acc-1", refresh_token: "ref-1", token_type: "Bearer", expires_in: 900, user: me };

describe("exit codes", () => {
  it.each([
    [404, "not_found", 5],
    [409, "conflict", 6],
    [401, "unauthorized", 4],
    [403, "forbidden", 4],
    [400, "validation_error", 1],
  ])("HTTP %i (%s) → exit %i", async (status, code, exit) => {
    handler = (_q, _b, res) => err(res, status, code, `the ${code} message`);
    const r = await cli(["jobs", "show", "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10"], {
      FLEETGATE_URL: url,
      FLEETGATE_TOKEN: "ztlu_t",
    });
    expect(r.code).toBe(exit);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`error: the ${code} message`);
  });

  it("429 is retried with Retry-After, then exit 7", async () => {
    handler = (_q, _b, res) => err(res, 429, "rate_limited", "Too many requests", { "retry-after": "0" });
    const r = await cli(["hosts", "list"], { FLEETGATE_URL: url, FLEETGATE_TOKEN: "ztlu_t" });
    expect(r.code).toBe(7);
    expect(seen).toHaveLength(4);
  });

  it("usage errors exit 2 and show the command's usage", async () => {
    const r = await cli(["hosts", "list", "--health", "sick"], { FLEETGATE_URL: url, FLEETGATE_TOKEN: "ztlu_t" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--health is one of: pending, healthy, degraded, unreachable");
    expect((await cli(["nope"])).code).toBe(2);
  });

  it("no server configured is an auth error (exit 4) with a hint", async () => {
    const r = await cli(["hosts", "list"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("fleetgate login --url");
  });
});

describe("login and credentials", () => {
  it("asks for TOTP only through --totp without a terminal, then stores a 0600 session", async () => {
    handler = (req, body, res) => {
      if (req.url === "/api/v1/auth/login") {
        const b = JSON.parse(body) as { totp_code?: string };
        if (b.totp_code === "123456") return json(res, 200, loginBody);
        return err(res, 401, "mfa_required", "MFA code required");
      }
      if (req.url === "/api/v1/users/me") return json(res, 200, { ...me, email: null });
      res.writeHead(404).end();
    };
    const noTotp = await cli(["login", "--url", url, "-u", "ada"], { FLEETGATE_PASSWORD: "pw" });
    expect(noTotp.code).toBe(2);
    expect(noTotp.stderr).toContain("--totp is required");
    const ok = await cli(["login", "--url", `${url}/api/v1`, "-u", "ada", "--totp", "123456", "--context", "lab"], {
      FLEETGATE_PASSWORD: "pw",
    });
    expect(ok.code, ok.stderr).toBe(0);
    const file = path.join(h.home, "cfg/fleetgate/credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).contexts.lab).toMatchObject({
      kind: "session",
      refresh_token: "ref-1",
    });
    expect(JSON.parse(readFileSync(path.join(h.home, "cfg/fleetgate/config.json"), "utf8"))).toEqual({
      current_context: "lab",
      contexts: { lab: { url } },
    });
    seen.length = 0;
    const who = await cli(["whoami", "-o", "json"]);
    expect(who.code).toBe(0);
    expect(seen[0]?.auth).toBe("Bearer acc-1");
    // FLEETGATE_TOKEN overrides the stored session.
    seen.length = 0;
    await cli(["whoami", "-o", "json"], { FLEETGATE_TOKEN: "ztls_env" });
    expect(seen[0]?.auth).toBe("Token ztls_env");
    // --url beats FLEETGATE_URL (flag > env > config).
    seen.length = 0;
    const r = await cli(["whoami", "--url", url], { FLEETGATE_URL: "http://127.0.0.1:9", FLEETGATE_TOKEN: "ztls_env" });
    expect(r.code).toBe(0);
  });
});

describe("destructive commands", () => {
  const host = { id: "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10", name: "web-01", fqdn: "web-01.example.test" };
  beforeAll(() => {
    handler = (req, _b, res) => {
      if (req.method === "GET" && req.url?.startsWith("/api/v1/hosts?")) {
        return json(res, 200, { hosts: [host], total: 1, limit: 100, offset: 0 });
      }
      if (req.method === "GET" && req.url === `/api/v1/hosts/${host.id}`) return json(res, 200, host);
      if (req.method === "DELETE") return json(res, 200, { message: "Host deleted" });
      res.writeHead(404).end();
    };
  });
  const env = () => ({ FLEETGATE_URL: url, FLEETGATE_TOKEN: "ztlu_t" });

  it("--dry-run sends no change", async () => {
    const r = await cli(["hosts", "delete", "web-01", "--dry-run"], env());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("would remove web-01");
    expect(seen.some((s) => s.method === "DELETE")).toBe(false);
  });

  it("refuses without --yes when there is no terminal to ask on", async () => {
    const r = await cli(["hosts", "delete", "web-01"], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("refusing without --yes");
    expect(seen.some((s) => s.method === "DELETE")).toBe(false);
  });

  it("--yes deletes", async () => {
    const r = await cli(["hosts", "delete", "web-01", "--yes"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual([`/api/v1/hosts/${host.id}`]);
  });
});
