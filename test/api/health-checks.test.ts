import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { enrollHost } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const base = (hostId: string) => `/api/v1/hosts/${hostId}/health-checks`;
const post = async (hostId: string, json: unknown) =>
  call(base(hostId), { method: "POST", headers: bearer(await adminLogin()), json });
const http = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  check_type: "http",
  url: "https://app.internal/health",
  ...extra,
});

describe("health checks", () => {
  it("creates an http check with basic auth: 201 reference body, password encrypted at rest and never returned", async () => {
    const host = await enrollHost();
    const res = await post(host.id, http("api", { basic_auth_user: "probe", basic_auth_pass: "s3cret-Pass!" }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string };
    expect(created).toEqual({
      id: created.id,
      host_id: host.id,
      name: "api",
      check_type: "http",
      enabled: true,
      target_host_id: null,
    });
    const row = await env.DB.prepare("SELECT basic_auth_pass_enc AS enc FROM health_checks WHERE id = ?")
      .bind(created.id)
      .first<{ enc: string }>();
    expect(row?.enc).toMatch(/^v1\./);
    expect(row?.enc).not.toContain("s3cret");
    const got = await call(`${base(host.id)}/${created.id}`, { headers: bearer(await adminLogin()) });
    const text = await got.text();
    expect(text).not.toContain("s3cret");
    expect(JSON.parse(text)).toMatchObject({
      name: "api",
      url: "https://app.internal/health",
      ignore_cert_errors: false,
      basic_auth_user: "probe",
      last_result: null,
    });
    expect(JSON.parse(text)).not.toHaveProperty("basic_auth_pass");
    const audit = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'health_check.create' AND target_id = ?",
    )
      .bind(host.id)
      .first<{ detail: string }>();
    expect(audit?.detail ?? "").not.toContain("s3cret");
  });

  it("refuses a sixth check with 400 limit_exceeded, also under concurrent creates", async () => {
    const host = await enrollHost();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post(host.id, http(`c${i}`))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 400)).toHaveLength(3);
    const refused = results.find((r) => r.status === 400);
    expect(refused && (await nativeError(refused)).code).toBe("limit_exceeded");
    const n = await env.DB.prepare("SELECT count(*) AS n FROM health_checks WHERE host_id = ?")
      .bind(host.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(5);
  });

  it("answers invalid_check_type for an unknown type and validation_error for missing fields", async () => {
    const host = await enrollHost();
    const t = await post(host.id, { name: "x", check_type: "ping" });
    expect(t.status).toBe(400);
    expect((await nativeError(t)).code).toBe("invalid_check_type");
    for (const body of [
      { name: "x", check_type: "service" },
      { name: "x", check_type: "http" },
      { name: "x", check_type: "http", url: "ftp://a/b" },
      { name: "x", check_type: "service", service_name: "nginx; rm -rf /" },
    ]) {
      const res = await post(host.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await nativeError(res)).code).toBe("validation_error");
    }
  });

  it("serves the /health-checks aliases and reflects the latest result; deleting removes it", async () => {
    const host = await enrollHost();
    const admin = await adminLogin();
    const res = await call("/api/v1/health-checks", {
      method: "POST",
      headers: bearer(admin),
      json: { host_id: host.id, name: "nginx", check_type: "service", service_name: "nginx.service" },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    // Two results; the latest decides.
    await env.DB.prepare(
      "INSERT INTO health_check_results (id, check_id, host_id, healthy, detail, latency_ms, phase, checked_at) VALUES (?, ?, ?, 1, 'active/running', 3, 'test', 1000), (?, ?, ?, 0, 'failed', 4, 'post', 2000)",
    )
      .bind(crypto.randomUUID(), id, host.id, crypto.randomUUID(), id, host.id)
      .run();
    const list = (await (
      await call(`/api/v1/health-checks?host_id=${host.id}`, { headers: bearer(admin) })
    ).json()) as {
      checks: { id: string; last_result: { healthy: boolean; detail: string } | null }[];
      total: number;
    };
    expect(list.total).toBe(1);
    expect(list.checks[0]).toMatchObject({ id, last_result: { healthy: false, detail: "failed" } });
    const upd = await call(`/api/v1/health-checks/${id}`, {
      method: "PUT",
      headers: bearer(admin),
      json: { enabled: false },
    });
    expect(await upd.json()).toMatchObject({ id, enabled: false });
    const del = await call(`/api/v1/health-checks/${id}`, { method: "DELETE", headers: bearer(admin) });
    expect(await del.json()).toEqual({ message: "Health check deleted" });
    expect((await call(`/api/v1/health-checks/${id}`, { headers: bearer(admin) })).status).toBe(404);
  });
});

describe("health_check_status in GET /hosts", () => {
  const result = (checkId: string, hostId: string, healthy: number, at: number) =>
    env.DB.prepare(
      "INSERT INTO health_check_results (id, check_id, host_id, healthy, detail, latency_ms, phase, checked_at) VALUES (?, ?, ?, ?, '', 1, 'test', ?)",
    )
      .bind(crypto.randomUUID(), checkId, hostId, healthy, at)
      .run();
  const status = async (hostId: string, query = "limit=200") => {
    const res = await call(`/api/v1/hosts?${query}`, { headers: bearer(await adminLogin()) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hosts: { id: string; health_check_status: string | null }[] };
    return { row: body.hosts.find((h) => h.id === hostId), order: body.hosts.map((h) => h.id) };
  };

  it("is null without results, then follows the latest result of each enabled check; sortable", async () => {
    // The fleet is shared with other test files: this test's hosts share a run-unique prefix it searches for.
    const prefix = `hc-${crypto.randomUUID().slice(0, 6)}`;
    const mine = (query: string) => `limit=200&search=${prefix}&${query}`;
    const host = await enrollHost(`${prefix}-a`);
    const quiet = await enrollHost(`${prefix}-b`);
    expect((await status(host.id, mine(""))).row?.health_check_status).toBeNull();
    const a = (await (await post(host.id, http("a"))).json()) as { id: string };
    const b = (await (await post(host.id, http("b"))).json()) as { id: string };
    await result(a.id, host.id, 1, 1000);
    expect((await status(host.id, mine(""))).row?.health_check_status).toBe("all_healthy");
    await result(b.id, host.id, 0, 1000);
    expect((await status(host.id, mine(""))).row?.health_check_status).toBe("some_unhealthy");
    await result(b.id, host.id, 1, 2000);
    expect((await status(host.id, mine(""))).row?.health_check_status).toBe("all_healthy");
    await result(a.id, host.id, 0, 3000);
    const desc = await status(host.id, mine("sort_by=health_check_status&order=desc"));
    expect(desc.row?.health_check_status).toBe("some_unhealthy");
    expect((await status(quiet.id, mine(""))).row?.health_check_status).toBeNull();
    // "some_unhealthy" sorts after "all_healthy" and the empty (null) status: first when descending, last ascending.
    expect(desc.order).toEqual([host.id, quiet.id]);
    expect((await status(host.id, mine("sort_by=health_check_status&order=asc"))).order).toEqual([quiet.id, host.id]);
  });

  it("an unknown sort key falls back to fqdn instead of 400; crl_status is accepted", async () => {
    const byFqdn = await status("", "limit=200&sort_by=fqdn");
    const unknown = await status("", "limit=200&sort_by=no_such_key");
    expect(unknown.order).toEqual(byFqdn.order);
    // crl_status is a real sort key (agents report the CRL they hold): the page comes back ordered by it.
    const res = await call("/api/v1/hosts?limit=200&sort_by=crl_status", { headers: bearer(await adminLogin()) });
    expect(res.status).toBe(200);
    const states = ((await res.json()) as { hosts: { crl_status: string }[] }).hosts.map((h) => h.crl_status);
    expect(states).toEqual([...states].sort());
  });
});
