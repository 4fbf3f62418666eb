import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { adminLogin, bearer, login, userWithRole } from "./auth-helpers";
import { call } from "./helpers";

const kidOf = (jwt: string) =>
  JSON.parse(atob((jwt.split(".")[0] ?? "").replace(/-/g, "+").replace(/_/g, "/"))).kid as string;

it("migrations created every table on an empty database", async () => {
  const rows = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
  const names = rows.results.map((r) => r.name);
  for (const t of [
    "identities",
    "authenticators",
    "mfa",
    "api_sessions",
    "refresh_tokens",
    "api_tokens",
    "signing_keys",
    "audit_log",
    "certificates",
    "enrollments",
    "enrollment_requests",
    "hosts",
    "jobs",
    "job_hosts",
    "tasks",
    "token_issuers",
  ]) {
    expect(names).toContain(t);
  }
});

it("key rotation: new tokens use the new kid, tokens signed by the old key keep working until they expire", async () => {
  const u = await userWithRole("reporter");
  const oldKid = kidOf(u.session.access);
  const admin = await adminLogin();
  const res = await call("/api/v1/settings/signing-keys/rotate", { method: "POST", headers: bearer(admin) });
  expect(res.status).toBe(200);
  const { kid } = (await res.json()) as { kid: string };
  expect(kid).not.toBe(oldKid);
  expect((await call("/api/v1/users/me", { headers: bearer(u.session) })).status).toBe(200);
  const fresh = await login(u.username, u.password);
  expect(kidOf(fresh.access)).toBe(kid);
  const jwks = (await (await call("/.well-known/jwks.json")).json()) as { keys: { kid: string }[] };
  expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, oldKid]));
});

it("operators cannot rotate keys", async () => {
  const op = await userWithRole("operator");
  const res = await call("/api/v1/settings/signing-keys/rotate", { method: "POST", headers: bearer(op.session) });
  expect(res.status).toBe(403);
});
