import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

/**
 * Findings of the wire-format audit against the references (linux-patch-manager.md,
 * ctrl-exec.md, zentral.md) that no other test pinned: each check names the § it holds to.
 */

describe("paths are exact (linux-patch-manager.md §2: no trailing slash; zentral.md §2: the slash is part of the path)", () => {
  it("a trailing slash on a native path is a 404 not_found, not a 405 whose Allow names the method just refused", async () => {
    const s = await adminLogin();
    for (const path of ["/api/v1/hosts/", "/api/v1/jobs/", "/api/v1/users/me/"]) {
      const res = await call(path, { headers: bearer(s) });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("allow"), path).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe("not_found");
    }
  });

  it("a wrong method on the exact path is still a 405 with Allow", async () => {
    const s = await adminLogin();
    const res = await call("/api/v1/hosts", { method: "DELETE", headers: bearer(s) });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "POST"]);
  });

  it("a Zentral path without its trailing slash is Django's 404, whatever the method", async () => {
    const id = crypto.randomUUID();
    for (const method of ["GET", "DELETE"]) {
      const res = await call(`/api/task_result/${id}`, { method });
      expect(res.status, method).toBe(404);
      expect(res.headers.get("allow"), method).toBeNull();
      expect(await res.json()).toEqual({ detail: "Not found." });
    }
  });
});
