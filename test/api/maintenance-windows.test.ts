import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { enrollHost } from "./agent-helpers";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const base = (hostId: string) => `/api/v1/hosts/${hostId}/maintenance-windows`;
const post = async (hostId: string, json: unknown) =>
  call(base(hostId), { method: "POST", headers: bearer(await adminLogin()), json });

/** Puts a host into a fresh group (so operators outside it no longer see the host). */
async function groupHost(hostId: string): Promise<void> {
  const admin = await adminLogin();
  const g = await call("/api/v1/groups", {
    method: "POST",
    headers: bearer(admin),
    json: { name: `g-${crypto.randomUUID()}` },
  });
  const { id } = (await g.json()) as { id: string };
  const r = await call(`/api/v1/hosts/${hostId}/groups`, {
    method: "POST",
    headers: bearer(admin),
    json: { group_id: id },
  });
  expect(r.status).toBe(200);
}

describe("maintenance windows", () => {
  it("creates a window with the reference defaults and UTC, shows its next occurrence, audits it", async () => {
    const host = await enrollHost();
    const res = await post(host.id, { label: "nightly", recurrence: "daily", start_at: "2026-01-01T23:00:00Z" });
    expect(res.status).toBe(200);
    const w = (await res.json()) as Record<string, unknown>;
    expect(w).toMatchObject({
      host_id: host.id,
      label: "nightly",
      recurrence: "daily",
      start_at: "2026-01-01T23:00:00.000Z",
      duration_minutes: 60,
      recurrence_day: null,
      enabled: true,
      auto_apply: true,
      time_zone: "UTC",
    });
    expect(String(w.next_start_at)).toMatch(/T23:00:00\.000Z$/);
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'maintenance_window.create' AND target_id = ?",
    )
      .bind(host.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });

  it("rejects bad input with 400 validation_error and stores nothing", async () => {
    const host = await enrollHost();
    const bad = [
      { label: "w", recurrence: "weekly", start_at: "2026-01-01T23:00:00Z" },
      { label: "w", recurrence: "weekly", start_at: "2026-01-01T23:00:00Z", recurrence_day: 7 },
      { label: "w", recurrence: "monthly", start_at: "2026-01-01T23:00:00Z", recurrence_day: 0 },
      { label: "w", recurrence: "yearly", start_at: "2026-01-01T23:00:00Z" },
      { label: "w", recurrence: "daily", start_at: "tomorrow" },
      { label: "w", recurrence: "daily", start_at: "2026-01-01T23:00:00Z", time_zone: "Mars/Olympus" },
      { label: "w", recurrence: "daily", start_at: "2026-01-01T23:00:00Z", duration_minutes: 0 },
      { label: "", recurrence: "daily", start_at: "2026-01-01T23:00:00Z" },
      { label: "w", recurrence: "daily", start_at: "2026-01-01T23:00:00Z", extra: 1 },
    ];
    for (const body of bad) {
      const res = await post(host.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await nativeError(res)).code).toBe("validation_error");
    }
    const list = await call(base(host.id), { headers: bearer(await adminLogin()) });
    expect(((await list.json()) as { windows: unknown[] }).windows).toEqual([]);
  });

  it("updates partially, validates the merged window, and deletes", async () => {
    const host = await enrollHost();
    const admin = await adminLogin();
    const w = (await (
      await post(host.id, { label: "a", recurrence: "daily", start_at: "2026-01-01T02:30:00Z" })
    ).json()) as {
      id: string;
    };
    const toWeekly = await call(`${base(host.id)}/${w.id}`, {
      method: "PUT",
      headers: bearer(admin),
      json: { recurrence: "weekly" },
    });
    expect(toWeekly.status).toBe(400);
    expect(await nativeError(toWeekly)).toMatchObject({
      code: "validation_error",
      message: "weekly windows need recurrence_day 0-6 (0 = Sunday)",
    });
    const ok = await call(`${base(host.id)}/${w.id}`, {
      method: "PUT",
      headers: bearer(admin),
      json: { recurrence: "weekly", recurrence_day: 0, time_zone: "Europe/Berlin", enabled: false },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      label: "a",
      recurrence: "weekly",
      recurrence_day: 0,
      time_zone: "Europe/Berlin",
      enabled: false,
      next_start_at: null,
    });
    const del = await call(`${base(host.id)}/${w.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(await del.json()).toEqual({ message: "Maintenance window deleted" });
    const again = await call(`${base(host.id)}/${w.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(again.status).toBe(404);
  });

  it("a window id of another host is not found under this host", async () => {
    const a = await enrollHost();
    const b = await enrollHost();
    const w = (await (
      await post(a.id, { label: "a", recurrence: "once", start_at: "2030-01-01T00:00:00Z" })
    ).json()) as {
      id: string;
    };
    const res = await call(`${base(b.id)}/${w.id}`, { method: "DELETE", headers: bearer(await adminLogin()) });
    expect(res.status).toBe(404);
  });

  it("calendar lists only windows of hosts the caller may see; reporters cannot write", async () => {
    const visible = await enrollHost();
    const hidden = await enrollHost();
    await groupHost(hidden.id);
    const wv = (await (
      await post(visible.id, { label: "v", recurrence: "daily", start_at: "2026-01-01T01:00:00Z" })
    ).json()) as {
      id: string;
    };
    const wh = (await (
      await post(hidden.id, { label: "h", recurrence: "daily", start_at: "2026-01-01T01:00:00Z" })
    ).json()) as {
      id: string;
    };
    const op = await userWithRole("operator");
    const cal = (await (await call("/api/v1/maintenance-windows", { headers: bearer(op.session) })).json()) as {
      windows: { id: string }[];
    };
    const ids = cal.windows.map((w) => w.id);
    expect(ids).toContain(wv.id);
    expect(ids).not.toContain(wh.id);
    expect((await call(base(hidden.id), { headers: bearer(op.session) })).status).toBe(403);
    const reporter = await userWithRole("reporter");
    const denied = await call(base(visible.id), {
      method: "POST",
      headers: bearer(reporter.session),
      json: { label: "x", recurrence: "daily", start_at: "2026-01-01T01:00:00Z" },
    });
    expect(denied.status).toBe(403);
  });
});
