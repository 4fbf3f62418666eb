import { describe, expect, it } from "vitest";
import { allows, declaredRoutes } from "../../workers/api/src/lib/permissions";
import "../../workers/api/src/app";
import { bearer, userWithRole } from "./auth-helpers";
import { call } from "./helpers";

const SOME_ID = "6f1f0e4e-9c7a-4a53-8d0c-5f5f2b0e1a11";
const concrete = (path: string, id = SOME_ID) => path.replace(/\{[^}]+\}/g, id);

describe("every protected native route declares a permission and enforces it", { timeout: 60_000 }, () => {
  it("the route table is not empty", () => {
    expect(declaredRoutes.length).toBeGreaterThan(20);
  });

  it("anonymous → 401 on every protected route", async () => {
    for (const r of declaredRoutes) {
      const res = await call(concrete(r.path), { method: r.method, json: r.method === "GET" ? undefined : {} });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });

  for (const role of ["admin", "operator", "reporter"] as const) {
    it(`${role} → 403 exactly where the permission is not granted`, async () => {
      const u = await userWithRole(role);
      for (const r of declaredRoutes) {
        // Never log ourselves out or wipe our own MFA mid-walk: those are exercised elsewhere.
        if (r.path.endsWith("/revoke") || r.path === "/api/v1/auth/mfa") continue;
        // `self` routes act on the caller's own resources: address them with the caller's id.
        const res = await call(concrete(r.path, r.permission === "self" ? u.id : SOME_ID), {
          method: r.method,
          headers: bearer(u.session),
          json: r.method === "GET" ? undefined : {},
        });
        const label = `${role} ${r.method} ${r.path} (${r.permission})`;
        if (allows(role, r.permission)) {
          expect([401, 403], label).not.toContain(res.status);
        } else {
          expect(res.status, label).toBe(403);
          const body = (await res.json()) as { error: { code: string } };
          const expected = r.permission === "admin" && r.method !== "GET" ? "forbidden_role" : "forbidden";
          expect(body.error.code, label).toBe(expected);
        }
      }
    });
  }
});
