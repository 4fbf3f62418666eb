import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { err, json, startHarness } from "../test-harness";

const h = await startHarness();
afterAll(() => h.close());
afterEach(() => h.reset());

const host = {
  id: "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10",
  name: "web-01",
  fqdn: "web-01.example.test",
  display_name: "web-01",
  os_family: "debian",
  os_name: "Debian 12",
  health_status: "healthy",
};
const jobId = "11111111-2222-4333-8444-555555555555";
const scriptJobId = "22222222-2222-4333-8444-555555555555";
const update = (name: string, security: boolean | "unknown") => ({
  name,
  arch: "amd64",
  installed_version: "1.0-1",
  candidate_version: "1.0-2",
  source: name,
  security,
  cve_ids: security === true ? ["CVE-2026-0001"] : [],
  origins: [],
});
const env = { FLEETGATE_URL: h.url, FLEETGATE_TOKEN: "ztlu_t" };
const posted = (p: string) => h.seen.filter((s) => s.method === "POST" && s.path === p).map((s) => JSON.parse(s.body));

beforeEach(() => {
  h.handle((req, _body, res) => {
    const u = new URL(req.url ?? "/", h.url);
    if (req.method === "GET" && u.pathname === "/api/v1/hosts") {
      return json(res, 200, { hosts: [host], total: 1, limit: 500, offset: 0 });
    }
    if (req.method === "GET" && u.pathname === `/api/v1/hosts/${host.id}/updates`) {
      const all = [update("curl", false), update("openssl", true), update("vim", "unknown")];
      const updates = u.searchParams.get("security") === "true" ? all.filter((x) => x.security === true) : all;
      return json(res, 200, { updates, total: updates.length, limit: 200, offset: 0, inventory: null });
    }
    if (req.method === "POST" && u.pathname === "/api/v1/jobs") {
      return json(res, 201, { id: jobId, reqid: "abc", message: "Job created" });
    }
    if (req.method === "GET" && u.pathname === `/api/v1/jobs/${jobId}`) {
      return json(res, 200, { job: { id: jobId, kind: "patch_apply" }, hosts: [{ host_id: host.id }] });
    }
    if (req.method === "GET" && u.pathname === `/api/v1/jobs/${scriptJobId}`) {
      return json(res, 200, { job: { id: scriptJobId, kind: "script" }, hosts: [{ host_id: host.id }] });
    }
    if (req.method === "POST" && u.pathname === `/api/v1/jobs/${jobId}/rollback`) {
      return json(res, 200, {
        id: "99999999-2222-4333-8444-555555555555",
        parent_job_id: jobId,
        message: "Rollback job created",
      });
    }
    if (req.method === "POST" && u.pathname === `/api/v1/hosts/${host.id}/refresh`) {
      return json(res, 202, { message: "Refresh queued" });
    }
    if (req.method === "POST" && u.pathname === `/api/v1/hosts/${host.id}/maintenance-windows`) {
      return json(res, 200, { id: "w1", next_start_at: "2026-12-08T22:00:00.000Z" });
    }
    if (req.method === "POST" && u.pathname === `/api/v1/hosts/${host.id}/health-checks`) {
      return json(res, 201, { id: "c1", message: "Health check created" });
    }
    if (req.method === "POST" && u.pathname === `/api/v1/hosts/${host.id}/health-checks/c1/test`) {
      return json(res, 200, { healthy: false, detail: "HTTP 503", latency_ms: 12 });
    }
    if (req.method === "GET" && u.pathname === "/api/v1/reports/compliance") {
      res.writeHead(200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="compliance-report.csv"',
      });
      return res.end(`host,compliant\nweb-01,${u.searchParams.get("format")}\n`);
    }
    if (req.method === "POST" && u.pathname === "/api/v1/exports") return json(res, 202, { task_id: "t-1" });
    if (req.method === "GET" && u.pathname === "/api/v1/status/fleet") return json(res, 200, { total_hosts: 1 });
    err(res, 404, "not_found", `no route ${req.method} ${u.pathname}`);
  });
});

describe("patch plan", () => {
  it("lists the selected hosts' pending updates, security first; --security asks the server to filter", async () => {
    const all = await h.cli(["patch", "plan", "--hosts", "web-*", "-o", "csv"], env);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe("host,package,arch,installed,candidate,security,cves");
    expect(lines.slice(1).map((l) => l.split(",")[1])).toEqual(["openssl", "curl", "vim"]);
    const sec = await h.cli(["patch", "plan", "--hosts", "web-01", "--security", "-o", "json"], env);
    expect(JSON.parse(sec.stdout)).toHaveLength(1);
    expect(h.seen.some((s) => s.path.includes("/updates?") && s.path.includes("security=true"))).toBe(true);
  });

  it("refuses tag: selectors (patch jobs name their hosts) and selectors matching nothing", async () => {
    expect((await h.cli(["patch", "plan", "--hosts", "tag:env=prod"], env)).code).toBe(2);
    expect((await h.cli(["patch", "plan", "--hosts", "db-*"], env)).code).toBe(5);
  });
});

describe("patch apply", () => {
  it("--dry-run prints the plan and the job request and starts nothing", async () => {
    const r = await h.cli(["patch", "apply", "--hosts", "web-01", "--security", "--dry-run"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("would patch 1 host(s), 1 update(s)");
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: "patch_apply",
      host_ids: [host.id],
      security_only: true,
      immediate: true,
    });
    expect(posted("/api/v1/jobs")).toEqual([]);
  });

  it("refuses without --yes when it cannot ask", async () => {
    const r = await h.cli(["patch", "apply", "--hosts", "web-01"], env);
    expect(r.code).toBe(2);
    expect(posted("/api/v1/jobs")).toEqual([]);
  });

  it("--window creates a job that waits for the window, with exact options, and returns its id", async () => {
    const r = await h.cli(
      [
        "patch",
        "apply",
        "--hosts",
        "web-01",
        "--window",
        "0d7e5a43-9d35-4cf4-8a64-5f4c7a1b9f00",
        "--packages",
        "openssl,curl",
        "--allow-reboot",
        "--max-parallel",
        "5",
        "--error-threshold",
        "10%",
        "--timeout",
        "30m",
        "--yes",
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${jobId}\n`);
    expect(posted("/api/v1/jobs")).toEqual([
      {
        kind: "patch_apply",
        host_ids: [host.id],
        packages: ["openssl", "curl"],
        immediate: false,
        maintenance_window_id: "0d7e5a43-9d35-4cf4-8a64-5f4c7a1b9f00",
        allow_reboot: true,
        security_only: false,
        max_parallel: 5,
        error_threshold: "10%",
        timeout_seconds: 1800,
      },
    ]);
    expect(h.seen.find((s) => s.path === "/api/v1/jobs" && s.method === "POST")).toBeDefined();
  });

  it("--at makes a one-off window on the first host and binds the job to it", async () => {
    const r = await h.cli(
      [
        "patch",
        "apply",
        "--hosts",
        "web-01",
        "--at",
        "2026-12-09T02:00:00Z",
        "--duration",
        "90",
        "--expected",
        "20",
        "--yes",
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(posted(`/api/v1/hosts/${host.id}/maintenance-windows`)).toEqual([
      {
        label: "patch apply --at 2026-12-09T02:00:00Z",
        recurrence: "once",
        start_at: "2026-12-09T02:00:00Z",
        duration_minutes: 90,
        auto_apply: false,
        enabled: true,
      },
    ]);
    expect(posted("/api/v1/jobs")).toMatchObject([
      { immediate: false, maintenance_window_id: "w1", expected_minutes: 20 },
    ]);
    expect(r.stdout).toBe(`${jobId}\n`);
    expect((await h.cli(["patch", "apply", "--hosts", "web-01", "--at", "tonight", "--yes"], env)).code).toBe(2);
    const both = ["patch", "apply", "--hosts", "web-01", "--at", "2026-12-09T02:00:00Z", "--window", "x", "--yes"];
    expect((await h.cli(both, env)).code).toBe(2);
  });
});

describe("jobs rollback, hosts refresh", () => {
  it("rolls back a patch job (new job id on stdout with --detach); refuses a script job", async () => {
    const r = await h.cli(["jobs", "rollback", jobId, "--yes", "--detach"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("99999999-2222-4333-8444-555555555555\n");
    expect(h.seen.filter((s) => s.method === "POST").map((s) => s.path)).toEqual([`/api/v1/jobs/${jobId}/rollback`]);
    const script = await h.cli(["jobs", "rollback", scriptJobId, "--yes"], env);
    expect(script.code).toBe(2);
    expect(script.stderr).toContain("is a script job, not a patch job");
    expect(h.seen.filter((s) => s.method === "POST")).toHaveLength(1);
  });

  it("hosts refresh queues an inventory refresh per host", async () => {
    const r = await h.cli(["hosts", "refresh", "web-01"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("web-01: Refresh queued");
    expect(h.seen.filter((x) => x.method === "POST").map((x) => x.path)).toEqual([`/api/v1/hosts/${host.id}/refresh`]);
  });
});

describe("windows and checks", () => {
  it("windows create sends the window in its time zone; a bad start is a usage error", async () => {
    const r = await h.cli(
      [
        "windows",
        "create",
        "web-01",
        "--label",
        "Tue night",
        "--recurrence",
        "weekly",
        "--day",
        "2",
        "--start",
        "2026-12-08T23:00:00+01:00",
        "--duration",
        "120",
        "--tz",
        "Europe/Berlin",
        "--no-auto-apply",
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("w1\n");
    expect(posted(`/api/v1/hosts/${host.id}/maintenance-windows`)).toEqual([
      {
        label: "Tue night",
        recurrence: "weekly",
        start_at: "2026-12-08T23:00:00+01:00",
        duration_minutes: 120,
        recurrence_day: 2,
        time_zone: "Europe/Berlin",
        auto_apply: false,
        enabled: true,
      },
    ]);
    const bad = await h.cli(
      ["windows", "create", "web-01", "--label", "x", "--recurrence", "daily", "--start", "soon"],
      env,
    );
    expect(bad.code).toBe(2);
    const badRec = await h.cli(
      ["windows", "create", "web-01", "--label", "x", "--recurrence", "hourly", "--start", "2026-12-08T23:00:00Z"],
      env,
    );
    expect(badRec.code).toBe(2);
  });

  it("checks create takes the basic-auth password from a variable, never from argv; test exits 1 when unhealthy", async () => {
    const r = await h.cli(
      [
        "checks",
        "create",
        "web-01",
        "--name",
        "api",
        "--http",
        "https://127.0.0.1/health",
        "--auth-user",
        "probe",
        "--auth-password-env",
        "PROBE_PW",
      ],
      { ...env, PROBE_PW: "s3cret" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(posted(`/api/v1/hosts/${host.id}/health-checks`)).toEqual([
      {
        name: "api",
        check_type: "http",
        url: "https://127.0.0.1/health",
        basic_auth_user: "probe",
        basic_auth_pass: "s3cret",
      },
    ]);
    expect((await h.cli(["checks", "create", "web-01", "--name", "x"], env)).code).toBe(2);
    expect(
      (
        await h.cli(
          ["checks", "create", "web-01", "--name", "x", "--http", "https://a", "--auth-password-env", "NOPE"],
          env,
        )
      ).code,
    ).toBe(2);
    const t = await h.cli(["checks", "test", "web-01", "c1"], env);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain("unhealthy (12 ms) HTTP 503");
  });
});

describe("reports and status", () => {
  it("downloads a report as the server's file; --async starts a report export task", async () => {
    const out = path.join(h.home, "c.csv");
    const r = await h.cli(
      ["reports", "create", "compliance", "--format", "csv", "--from", "2026-01-01", "-O", out],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("host,compliant\nweb-01,csv\n");
    expect(h.seen.some((s) => s.path === "/api/v1/reports/compliance?format=csv&from=2026-01-01")).toBe(true);
    const a = await h.cli(["reports", "create", "vulnerability", "--async", "--detach", "--group", host.id], env);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe("t-1\n");
    expect(posted("/api/v1/exports")).toEqual([
      { kind: "report:vulnerability", format: "pdf", filters: { group_id: host.id } },
    ]);
    expect((await h.cli(["reports", "create", "inventory"], env)).code).toBe(2);
  });

  it("status prints the fleet status", async () => {
    const r = await h.cli(["status", "-o", "json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ total_hosts: 1 });
  });
});
