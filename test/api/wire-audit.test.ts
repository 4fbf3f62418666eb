import { describe, expect, it } from "vitest";
import { adminToken, enrollHost, execPost } from "./agent-helpers";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

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

describe("native rate limits (linux-patch-manager.md §2: 429 with retry-after and x-ratelimit-after)", () => {
  it("an enrollment flood from one address gets 429 carrying both of tower_governor's headers", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    let last: Response | undefined;
    for (let i = 0; i < 12 && last?.status !== 429; i++) {
      const name = `wire-${crypto.randomUUID().slice(0, 8)}`;
      const json = {
        machine_id: crypto.randomUUID().replace(/-/g, ""),
        fqdn: `${name}.example.test`,
        ip_address: ip,
        os_details: { os: "linux", name: "Debian GNU/Linux", version: "12", architecture: "x86_64" },
        hostname: name,
      };
      last = await call("/api/v1/enroll", { method: "POST", json, headers: { "cf-connecting-ip": ip } });
    }
    expect(last?.status).toBe(429);
    const wait = last?.headers.get("retry-after");
    expect(wait).toMatch(/^\d+$/);
    expect(last?.headers.get("x-ratelimit-after")).toBe(wait);
    expect((await nativeError(last as Response)).code).toBe("rate_limited");
  });
});

describe("users and groups (linux-patch-manager.md §4): the documented texts and shapes", () => {
  const post = (path: string, json: unknown, headers: Record<string, string>) =>
    call(path, { method: "POST", headers, json });

  it("409 conflict for a taken username or email, and for a taken group name", async () => {
    const admin = bearer(await adminLogin());
    const taken = await userWithRole("reporter");
    const dupName = await post(
      "/api/v1/users",
      {
        username: taken.username,
        email: `other-${taken.username}@example.test`,
        role: "reporter",
        password: "Str0ng!Passw0rd",
      },
      admin,
    );
    expect(dupName.status).toBe(409);
    expect(await nativeError(dupName)).toEqual({ code: "conflict", message: "Username or email already exists" });
    const dupEmail = await post(
      "/api/v1/users",
      {
        username: `other-${taken.username}`,
        email: `${taken.username}@example.test`,
        role: "reporter",
        password: "Str0ng!Passw0rd",
      },
      admin,
    );
    expect(dupEmail.status).toBe(409);
    expect(await nativeError(dupEmail)).toEqual({ code: "conflict", message: "Username or email already exists" });

    const name = `wire-${crypto.randomUUID().slice(0, 8)}`;
    expect((await post("/api/v1/groups", { name }, admin)).status).toBe(200);
    const dupGroup = await post("/api/v1/groups", { name }, admin);
    expect(dupGroup.status).toBe(409);
    expect(await nativeError(dupGroup)).toEqual({ code: "conflict", message: "Group name already exists" });
  });

  it("GET /groups/{id} is {group, host_count, user_count}", async () => {
    const admin = bearer(await adminLogin());
    const created = await post(
      "/api/v1/groups",
      { name: `wire-${crypto.randomUUID().slice(0, 8)}`, description: "d" },
      admin,
    );
    const { id } = (await created.json()) as { id: string };
    const member = await userWithRole("operator");
    expect((await call(`/api/v1/groups/${id}/users/${member.id}`, { method: "POST", headers: admin })).status).toBe(
      200,
    );
    const res = await call(`/api/v1/groups/${id}`, { headers: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["group", "host_count", "user_count"]);
    expect(body).toMatchObject({ host_count: 0, user_count: 1 });
    expect(Object.keys(body.group as object).sort()).toEqual(["created_at", "description", "id", "name", "updated_at"]);
  });

  it("an admin cannot delete their own account (400); a password reset answers its message", async () => {
    const me = await userWithRole("admin");
    const own = await call(`/api/v1/users/${me.id}`, { method: "DELETE", headers: bearer(me.session) });
    expect(own.status).toBe(400);
    expect(await nativeError(own)).toEqual({ code: "bad_request", message: "Cannot delete your own account" });
    const other = await userWithRole("reporter");
    const reset = await call(`/api/v1/users/${other.id}/password`, {
      method: "PUT",
      headers: bearer(me.session),
      json: { new_password: "An0ther!Passw0rd" },
    });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ message: "Password reset successfully" });
  });
});

describe("ctrl-exec POST /run `async` (ctrl-exec.md §5: any Perl-truthy value)", () => {
  it('0, "0", "", false and null run sync (200); 1, true, "yes" and even "false" (a true string in Perl) answer 202', async () => {
    const token = await adminToken();
    // An offline host: a sync run answers at once with exit -1, an async one is queued (accepted).
    const host = await enrollHost();
    const run = (value: unknown) =>
      execPost("/run", {
        hosts: [host.name],
        script: `wire-${crypto.randomUUID().slice(0, 8)}`,
        token,
        async: value,
      });
    for (const value of [0, "0", "", false, null]) {
      const res = await run(value);
      expect(res.status, JSON.stringify(value)).toBe(200);
      const body = (await res.json()) as { async?: boolean; results: { exit: number; error: string }[] };
      expect(body.async, JSON.stringify(value)).toBeUndefined();
      expect(body.results[0]).toMatchObject({ exit: -1, error: "host offline" });
    }
    for (const value of [1, true, "yes", "false"]) {
      const res = await run(value);
      expect(res.status, JSON.stringify(value)).toBe(202);
      expect(await res.json()).toMatchObject({
        ok: true,
        async: true,
        results: [{ host: host.name, status: "accepted" }],
      });
    }
  });
});
