import { env } from "cloudflare:workers";
import { deriveKeys } from "@fleetgate/auth";
import { createDomainContext, type DomainContext, signDownloadLink } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { seedTask, serviceAccountToken, tokenAuth } from "./task-helpers";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const result = (id: string) => call(`/api/task_result/${id}/`, { headers: {} });

/** A finished export with its object in R2, created by `owner`. */
async function finishedExport(owner: string, body = "a,b\r\n1,2\r\n") {
  const id = crypto.randomUUID();
  const key = `exports/${id}/inventory_export_2026-11-22_10-00-00.csv`;
  const headers = {
    "Content-Type": "text/csv",
    "Content-Disposition": 'attachment; filename="inventory_export_2026-11-22_10-00-00.csv"',
  };
  await env.EXPORTS.put(key, body);
  await seedTask({
    id,
    status: "SUCCESS",
    createdBy: owner,
    result: { filepath: key, headers },
    fileKey: key,
    headers,
  });
  return { id, key, headers };
}

/** A DomainContext over the test bindings, with a movable clock (to mint already-expired links). */
async function testCtx(now = Date.now()): Promise<DomainContext> {
  const ctx = await createDomainContext(env, { requestId: "test", issuer: "http://127.0.0.1" });
  return { ...ctx, now: () => now };
}

describe("task_result: authentication (DRF shapes, WWW-Authenticate: Token)", () => {
  const id = "6f1f0e4e-9c7a-4a53-8d0c-5f5f2b0e1a11";

  it("no credentials → 401 not provided", async () => {
    const res = await result(id);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Token");
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("another scheme (Basic) counts as no credentials", async () => {
    const res = await call(`/api/task_result/${id}/`, { headers: { authorization: "Basic YTpi" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("`Token` alone → 401 no credentials provided in the header", async () => {
    const res = await call(`/api/task_result/${id}/`, { headers: { authorization: "Token" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Token");
    expect(await res.json()).toEqual({ detail: "Invalid token header. No credentials provided." });
  });

  it("a token with spaces → 401", async () => {
    const res = await call(`/api/task_result/${id}/`, { headers: { authorization: "Token a b" } });
    expect(await res.json()).toEqual({ detail: "Invalid token header. Token string should not contain spaces." });
  });

  it("a ztl-shaped key with a bad checksum → 401 Invalid ztl token.", async () => {
    const res = await call(`/api/task_result/${id}/`, {
      headers: { authorization: "Token ztls_0xtePqPLfggHUaAi6NkDVuakz4jtQZ2ObLY4" },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Invalid ztl token." });
  });

  it("a well-formed unknown key → 401 Invalid token.; a legacy key without _ too", async () => {
    for (const key of ["ztls_0xtePqPLfggHUaAi6NkDVuakz4jtQZ2ObLY3", "0123456789abcdef"]) {
      const res = await call(`/api/task_result/${id}/`, { headers: { authorization: `Token ${key}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: "Invalid token." });
    }
  });

  it("the keyword is case-insensitive; the native Bearer works too", async () => {
    const sa = await serviceAccountToken();
    const res = await call(`/api/task_result/${id}/`, { headers: { authorization: `tOkEn ${sa.secret}` } });
    expect(res.status).toBe(200);
    const admin = await adminLogin();
    expect((await call(`/api/task_result/${id}/`, { headers: bearer(admin) })).status).toBe(200);
  });

  it("a forged Bearer → 401 Invalid token.", async () => {
    const res = await call(`/api/task_result/${id}/`, { headers: { authorization: "Bearer a.b.c" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Invalid token." });
  });

  it("a disabled service account's token → 401 User inactive or deleted.", async () => {
    const sa = await serviceAccountToken();
    await env.DB.prepare("UPDATE identities SET disabled = 1 WHERE id = ?").bind(sa.id).run();
    const res = await call(`/api/task_result/${id}/`, { headers: tokenAuth(sa.secret) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "User inactive or deleted." });
  });
});

describe("task_result: exactly Zentral's answers", () => {
  it("non-UUID, uppercase UUID or missing trailing slash → 404 Not found. (no route)", async () => {
    const admin = await adminLogin();
    for (const path of [
      "/api/task_result/nope/",
      "/api/task_result/6F1F0E4E-9C7A-4A53-8D0C-5F5F2B0E1A11/",
      "/api/task_result/6f1f0e4e-9c7a-4a53-8d0c-5f5f2b0e1a11",
      "/api/task_result/nope/download/",
    ]) {
      const res = await call(path, { headers: bearer(admin) });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ detail: "Not found." });
    }
  });

  it("an unknown id → 200 UNKNOWN, unready, no name", async () => {
    const admin = await adminLogin();
    const id = crypto.randomUUID();
    const res = await call(`/api/task_result/${id}/`, { headers: bearer(admin) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, status: "UNKNOWN", unready: true });
  });

  it("PENDING and STARTED are unready; FAILURE is ready without result", async () => {
    const admin = await adminLogin();
    for (const [status, unready] of [
      ["PENDING", true],
      ["STARTED", true],
      ["FAILURE", false],
      ["REVOKED", false],
    ] as const) {
      const id = await seedTask({ status, createdBy: admin.userId, result: { filepath: "x" } });
      const body = await (await call(`/api/task_result/${id}/`, { headers: bearer(admin) })).json();
      expect(body).toEqual({ name: "fleetgate.exports.export_inventory", id, status, unready });
    }
  });

  it("SUCCESS: name, id, status, unready, download_url (relative), result without filepath — in that order", async () => {
    const admin = await adminLogin();
    const t = await finishedExport(admin.userId);
    const res = await call(`/api/task_result/${t.id}/`, { headers: bearer(admin) });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["name", "id", "status", "unready", "download_url", "result"]);
    expect(body).toEqual({
      name: "fleetgate.exports.export_inventory",
      id: t.id,
      status: "SUCCESS",
      unready: false,
      download_url: `/api/task_result/${t.id}/download/`,
      result: { headers: t.headers },
    });
  });

  it("SUCCESS without a file: result but no download_url", async () => {
    const admin = await adminLogin();
    const id = await seedTask({ status: "SUCCESS", createdBy: admin.userId, result: { rows: 3 } });
    const body = await (await call(`/api/task_result/${id}/`, { headers: bearer(admin) })).json();
    expect(body).toEqual({
      name: "fleetgate.exports.export_inventory",
      id,
      status: "SUCCESS",
      unready: false,
      result: { rows: 3 },
    });
  });

  it("someone else's task looks unknown (and cannot be downloaded); an admin sees it", async () => {
    const owner = await userWithRole("operator");
    const other = await userWithRole("operator");
    const t = await finishedExport(owner.id);
    const seen = await (await call(`/api/task_result/${t.id}/`, { headers: bearer(other.session) })).json();
    expect(seen).toEqual({ id: t.id, status: "UNKNOWN", unready: true });
    const dl = await call(`/api/task_result/${t.id}/download/`, { headers: bearer(other.session) });
    expect(dl.status).toBe(404);
    const admin = await adminLogin();
    const adminView = (await (await call(`/api/task_result/${t.id}/`, { headers: bearer(admin) })).json()) as {
      status: string;
    };
    expect(adminView.status).toBe("SUCCESS");
  });

  it("POST → 405 in DRF's shape", async () => {
    const admin = await adminLogin();
    const res = await call(`/api/task_result/${crypto.randomUUID()}/`, { method: "POST", headers: bearer(admin) });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ detail: 'Method "POST" not allowed.' });
  });
});

describe("download: 302 to a short-lived signed link that streams the object", () => {
  it("unknown or unfinished task → 404 No TaskResult matches the given query.", async () => {
    const admin = await adminLogin();
    const pending = await seedTask({ status: "PENDING", createdBy: admin.userId });
    for (const id of [crypto.randomUUID(), pending]) {
      const res = await call(`/api/task_result/${id}/download/`, { headers: bearer(admin) });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ detail: "No TaskResult matches the given query." });
    }
  });

  it("SUCCESS without a file, or whose object is gone → 404 Not found.", async () => {
    const admin = await adminLogin();
    const noFile = await seedTask({ status: "SUCCESS", createdBy: admin.userId, result: { rows: 1 } });
    const gone = await finishedExport(admin.userId);
    await env.EXPORTS.delete(gone.key);
    for (const id of [noFile, gone.id]) {
      const res = await call(`/api/task_result/${id}/download/`, { headers: bearer(admin) });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ detail: "Not found." });
    }
  });

  it("anonymous → 401", async () => {
    const res = await call(`/api/task_result/${crypto.randomUUID()}/download/`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("302 → /files/… with exp ≤ 5 minutes; the link streams the object with its stored headers", async () => {
    const sa = await serviceAccountToken();
    const t = await finishedExport(sa.id, 'x,y\r\n"=1",2\r\n');
    const res = await call(`/api/task_result/${t.id}/download/`, { headers: tokenAuth(sa.secret), redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const loc = new URL(res.headers.get("location") ?? "");
    expect(loc.pathname).toBe(`/files/${t.key}`);
    expect(loc.searchParams.get("task")).toBe(t.id);
    const exp = Number(loc.searchParams.get("exp"));
    expect(exp * 1000).toBeGreaterThan(Date.now());
    expect(exp * 1000).toBeLessThanOrEqual(Date.now() + 300_000 + 1000);
    const file = await call(`${loc.pathname}${loc.search}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/csv");
    expect(file.headers.get("content-disposition")).toBe(t.headers["Content-Disposition"]);
    expect(file.headers.get("cache-control")).toBe("private, no-store");
    expect(await file.text()).toBe('x,y\r\n"=1",2\r\n');
  });

  async function signedLink() {
    const admin = await adminLogin();
    const t = await finishedExport(admin.userId);
    const res = await call(`/api/task_result/${t.id}/download/`, { headers: bearer(admin), redirect: "manual" });
    return { t, url: new URL(res.headers.get("location") ?? "") };
  }
  const get = (u: URL) => call(`${u.pathname}${u.search}`);

  it("a changed signature → 403", async () => {
    const { url } = await signedLink();
    const sig = url.searchParams.get("sig") ?? "";
    url.searchParams.set("sig", `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`);
    const res = await get(url);
    expect(res.status).toBe(403);
    expect(await nativeError(res)).toEqual({ code: "forbidden", message: "Invalid or expired download link" });
  });

  it("a changed key → 403", async () => {
    const { url, t } = await signedLink();
    const other = await finishedExport((await adminLogin()).userId);
    url.pathname = `/files/${other.key}`;
    expect((await get(url)).status).toBe(403);
    url.pathname = `/files/${t.key.replace(".csv", ".xlsx")}`;
    expect((await get(url)).status).toBe(403);
  });

  it("a changed expiry or task → 403", async () => {
    const { url } = await signedLink();
    const later = new URL(url);
    later.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 3600));
    expect((await get(later)).status).toBe(403);
    const otherTask = new URL(url);
    otherTask.searchParams.set("task", crypto.randomUUID());
    expect((await get(otherTask)).status).toBe(403);
  });

  it("missing or malformed parameters → 403", async () => {
    const { url } = await signedLink();
    for (const drop of ["sig", "exp", "task"]) {
      const u = new URL(url);
      u.searchParams.delete(drop);
      expect((await get(u)).status, drop).toBe(403);
    }
    const u = new URL(url);
    u.searchParams.set("exp", "soon");
    expect((await get(u)).status).toBe(403);
  });

  it("an expired link → 403 even with a valid signature", async () => {
    const admin = await adminLogin();
    const t = await finishedExport(admin.userId);
    const link = await signDownloadLink(await testCtx(Date.now() - 301_000), { taskId: t.id, key: t.key });
    const res = await call(link.path);
    expect(res.status).toBe(403);
  });

  it("the signing key is bound to MASTER_KEY: a link signed with another key → 403", async () => {
    const admin = await adminLogin();
    const t = await finishedExport(admin.userId);
    const ctx = await testCtx();
    ctx.keys = await deriveKeys(btoa("another-master-key-for-the-test-0123"));
    const link = await signDownloadLink(ctx, { taskId: t.id, key: t.key });
    expect((await call(link.path)).status).toBe(403);
  });

  it("a deleted task's link stops working (404), and its object is gone", async () => {
    const { url, t } = await signedLink();
    const admin = await adminLogin();
    const del = await call(`/api/v1/tasks/${t.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(del.status).toBe(200);
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(await env.EXPORTS.head(t.key)).toBeNull();
  });

  it("XLSX content type is passed through", async () => {
    const admin = await adminLogin();
    const id = crypto.randomUUID();
    const key = `exports/${id}/jobs_export_2026-11-22_10-00-00.xlsx`;
    const headers = {
      "Content-Type": XLSX,
      "Content-Disposition": 'attachment; filename="jobs_export_2026-11-22_10-00-00.xlsx"',
    };
    await env.EXPORTS.put(key, new Uint8Array([80, 75, 3, 4]));
    await seedTask({
      id,
      status: "SUCCESS",
      createdBy: admin.userId,
      result: { filepath: key, headers },
      fileKey: key,
      headers,
    });
    const res = await call(`/api/task_result/${id}/download/`, { headers: bearer(admin), redirect: "manual" });
    const loc = new URL(res.headers.get("location") ?? "");
    const file = await call(`${loc.pathname}${loc.search}`);
    expect(file.headers.get("content-type")).toBe(XLSX);
    expect(file.headers.get("content-length")).toBe("4");
  });
});

describe("native /api/v1/tasks", () => {
  it("lists the caller's own tasks; an admin sees everyone's", async () => {
    const a = await userWithRole("operator");
    const b = await userWithRole("operator");
    const ta = await seedTask({ status: "PENDING", createdBy: a.id });
    const tb = await seedTask({ status: "PENDING", createdBy: b.id });
    const mine = (await (await call("/api/v1/tasks", { headers: bearer(a.session) })).json()) as {
      tasks: { id: string }[];
      total: number;
    };
    expect(mine.tasks.map((t) => t.id)).toEqual([ta]);
    expect(mine.total).toBe(1);
    const admin = await adminLogin();
    const all = (await (await call("/api/v1/tasks?limit=200", { headers: bearer(admin) })).json()) as {
      tasks: { id: string }[];
    };
    expect(all.tasks.map((t) => t.id)).toEqual(expect.arrayContaining([ta, tb]));
  });

  it("GET one: own → 200 with the public view; another's → 404; non-UUID → 400", async () => {
    const a = await userWithRole("operator");
    const b = await userWithRole("operator");
    const t = await finishedExport(a.id);
    const res = await call(`/api/v1/tasks/${t.id}`, { headers: bearer(a.session) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: t.id,
      status: "SUCCESS",
      unready: false,
      result: { headers: t.headers },
      download_url: `/api/task_result/${t.id}/download/`,
    });
    expect(JSON.stringify(body)).not.toContain(t.key);
    expect((await call(`/api/v1/tasks/${t.id}`, { headers: bearer(b.session) })).status).toBe(404);
    expect((await call("/api/v1/tasks/nope", { headers: bearer(a.session) })).status).toBe(400);
  });
});
