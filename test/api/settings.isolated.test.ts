import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const ADMIN_IP = "203.0.113.5";
const asAdmin = async (extra: Record<string, string> = {}) => ({
  ...bearer(await adminLogin()),
  "cf-connecting-ip": ADMIN_IP,
  ...extra,
});
const put = async (json: unknown) => call("/api/v1/settings", { method: "PUT", headers: await asAdmin(), json });

describe("GET/PUT /api/v1/settings", () => {
  it("defaults, in the reference's shape plus Fleetgate's sections", async () => {
    const res = await call("/api/v1/settings", { headers: await asAdmin() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      oidc: {
        enabled: false,
        provider_type: "custom",
        display_name: "SSO",
        discovery_url: "",
        client_id: "",
        client_secret: "",
        redirect_uri: "",
        scopes: "openid email profile",
      },
      smtp: { enabled: false, host: "", port: 587, username: "", password: "", from: "", tls_mode: "starttls" },
      polling: { health_poll_interval_secs: 300, patch_poll_interval_secs: 1800 },
      ip_whitelist: [],
      web_tls_strategy: "cloudflare",
      notification: { email_enabled: false, email_from: "", recipients: [] },
      sso_callback_url: "/app/auth/sso/callback",
      allowed_origins: [],
      sso_policy: { sso_only: false, mfa_required: "off", created_role: "reporter", groups_claim: "" },
      discovery_cidrs: [],
      ctrl_exec: { anonymous_actions: [], anonymous_cidrs: [] },
      compliance: { grace_period_days: 7 },
      osv: {
        enabled: false,
        base_url: "https://osv-vulnerabilities.storage.googleapis.com",
        feeds: ["Debian", "Ubuntu", "Red Hat", "Rocky Linux", "AlmaLinux"],
        refresh_hours: 24,
      },
    });
  });

  it("secrets are encrypted at rest, read back as ********, and ******** keeps them", async () => {
    const secret = "client-secret-that-must-never-leak";
    const res = await put({
      oidc: { client_id: "fleetgate", client_secret: secret },
      smtp: { password: "smtp-pw-x1" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { oidc: Record<string, unknown>; smtp: Record<string, unknown> };
    expect(body.oidc.client_secret).toBe("********");
    expect(body.smtp.password).toBe("********");
    const rows = await env.DB.prepare("SELECT key, value, secret_enc FROM settings WHERE key IN ('oidc','smtp')").all<{
      key: string;
      value: string;
      secret_enc: string;
    }>();
    const dump = JSON.stringify(rows.results);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain("smtp-pw-x1");
    const before = rows.results.find((r) => r.key === "oidc")?.secret_enc;
    expect(before).toMatch(/^v1\./);

    const keep = await put({ oidc: { client_secret: "********", display_name: "Corp" } });
    expect(keep.status).toBe(200);
    const after = await env.DB.prepare("SELECT secret_enc FROM settings WHERE key = 'oidc'").first<{
      secret_enc: string;
    }>();
    expect(after?.secret_enc).toBe(before);
    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'settings.update'").all<{
      detail: string;
    }>();
    expect(audit.results.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit.results)).not.toContain(secret);
    expect(JSON.stringify(audit.results)).toContain("client_secret");
  });

  it("partial sections merge field by field", async () => {
    await put({ polling: { health_poll_interval_secs: 120 } });
    const res = await call("/api/v1/settings", { headers: await asAdmin() });
    const body = (await res.json()) as { polling: Record<string, number> };
    expect(body.polling).toEqual({ health_poll_interval_secs: 120, patch_poll_interval_secs: 1800 });
  });

  it("bad input → 400 validation_error, nothing applied", async () => {
    for (const bad of [
      { ip_whitelist: ["10.0.0.0/33"] },
      { discovery_cidrs: ["nope"] },
      { oidc: { discovery_url: "ftp://x" } },
      { oidc: { enabled: true, discovery_url: "", client_id: "" } },
      { allowed_origins: ["https://a.test/path"] },
      { polling: { health_poll_interval_secs: 1 } },
      { unknown_section: {} },
      { oidc: { unknown_field: 1 } },
      { smtp: { host: "a\r\nRCPT TO:<x>" } },
      { notification: { recipients: ["not an email"] } },
    ]) {
      const res = await put({ ...bad, web_tls_strategy: "changed-by-bad-request" });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await nativeError(res)).code).toBe("validation_error");
    }
    const now = (await (await call("/api/v1/settings", { headers: await asAdmin() })).json()) as {
      web_tls_strategy: string;
    };
    expect(now.web_tls_strategy).not.toBe("changed-by-bad-request");
  });

  it("operators: PUT → 403 forbidden_role with the reference message; GET → 403", async () => {
    const op = await userWithRole("operator");
    const res = await call("/api/v1/settings", { method: "PUT", headers: bearer(op.session), json: {} });
    expect(res.status).toBe(403);
    expect(await nativeError(res)).toEqual({
      code: "forbidden_role",
      message: "Admin role required to modify this resource",
    });
    const ip = await call("/api/v1/settings/ip-whitelist", {
      method: "PUT",
      headers: bearer(op.session),
      json: { entries: [] },
    });
    expect((await nativeError(ip)).code).toBe("forbidden_role");
    expect((await call("/api/v1/settings", { headers: bearer(op.session) })).status).toBe(403);
  });

  it("/settings/ctrl-exec is the same model's ctrl_exec section", async () => {
    const h = await asAdmin();
    const res = await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: h,
      json: { anonymous_actions: ["ping"], anonymous_cidrs: ["192.0.2.0/24"] },
    });
    expect(res.status).toBe(200);
    const all = (await (await call("/api/v1/settings", { headers: h })).json()) as { ctrl_exec: unknown };
    expect(all.ctrl_exec).toEqual({ anonymous_actions: ["ping"], anonymous_cidrs: ["192.0.2.0/24"] });
    await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: h,
      json: { anonymous_actions: [], anonymous_cidrs: [] },
    });
  });
});

describe("POST /settings/sso/discover and /settings/sso/test", () => {
  it("refuses http, loopback, private and link-local targets with 400", async () => {
    for (const url of [
      "http://idp.example.test/.well-known/openid-configuration",
      "https://127.0.0.1/.well-known/openid-configuration",
      "https://localhost/.well-known/openid-configuration",
      "https://10.1.2.3/.well-known/openid-configuration",
      "https://192.168.1.1/.well-known/openid-configuration",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/.well-known/openid-configuration",
      "https://[fe80::1]/.well-known/openid-configuration",
      "https://user:pw@idp.example.test/",
    ]) {
      const res = await call("/api/v1/settings/sso/discover", {
        method: "POST",
        headers: await asAdmin(),
        json: { discovery_url: url },
      });
      expect(res.status, url).toBe(400);
      expect((await nativeError(res)).code).toBe("validation_error");
    }
  });

  it("an unreachable provider → success false with the reason", async () => {
    const res = await call("/api/v1/settings/sso/discover", {
      method: "POST",
      headers: await asAdmin(),
      json: { discovery_url: "https://down.example.test/.well-known/openid-configuration" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { success: boolean; message: string };
    expect(body.success).toBe(false);
    expect(body.message).toMatch(/^Failed to fetch OIDC discovery/);
  });

  it("test without a configured provider → success false", async () => {
    await put({ oidc: { discovery_url: "", client_id: "" } });
    for (const path of ["/api/v1/settings/sso/test", "/api/v1/settings/azure-sso/test"]) {
      const res = await call(path, { method: "POST", headers: await asAdmin() });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ success: false, message: "SSO discovery URL is not configured" });
    }
  });
});

describe("IP allowlist", () => {
  afterEach(async () => {
    await call("/api/v1/settings/ip-whitelist", { method: "PUT", headers: await asAdmin(), json: { entries: [] } });
  });

  it("GET/PUT /settings/ip-whitelist {entries}", async () => {
    const res = await call("/api/v1/settings/ip-whitelist", {
      method: "PUT",
      headers: await asAdmin(),
      json: { entries: ["203.0.113.0/24", "2001:db8::/32", "203.0.113.0/24"] },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ entries: ["203.0.113.0/24", "2001:db8::/32"] });
    const got = await call("/api/v1/settings/ip-whitelist", { headers: await asAdmin() });
    expect(await got.json()).toEqual({ entries: ["203.0.113.0/24", "2001:db8::/32"] });
  });

  it("a list that excludes the admin's own address is refused (no self lock-out)", async () => {
    const res = await call("/api/v1/settings/ip-whitelist", {
      method: "PUT",
      headers: await asAdmin(),
      json: { entries: ["198.51.100.0/24"] },
    });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/does not include your own address \(203\.0\.113\.5\)/);
  });

  it("protected routes on every face answer 403 in the face's shape; login stays reachable", async () => {
    const admin = await adminLogin();
    const put = await call("/api/v1/settings/ip-whitelist", {
      method: "PUT",
      headers: await asAdmin(),
      json: { entries: ["203.0.113.0/24"] },
    });
    expect(put.status).toBe(200);
    const outside = { "cf-connecting-ip": "198.51.100.7" };

    const native = await call("/api/v1/users/me", { headers: { ...bearer(admin), ...outside } });
    expect(native.status).toBe(403);
    expect(await nativeError(native)).toEqual({ code: "forbidden", message: "Access denied" });

    const inside = await call("/api/v1/users/me", { headers: { ...bearer(admin), "cf-connecting-ip": "203.0.113.9" } });
    expect(inside.status).toBe(200);

    const ziti = await call("/edge/client/v1/current-identity", { headers: { "zt-session": "x", ...outside } });
    expect(ziti.status).toBe(403);
    expect(((await ziti.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");

    const exec = await call("/ping", {
      method: "POST",
      headers: outside,
      json: { token: admin.access, hosts: ["web-1"] },
    });
    expect(exec.status).toBe(403);
    expect(await exec.json()).toMatchObject({ ok: false, error: "denied" });

    const zentral = await call(`/api/task_result/${crypto.randomUUID()}/`, {
      headers: { authorization: `Bearer ${admin.access}`, ...outside },
    });
    expect(zentral.status).toBe(403);
    expect(await zentral.json()).toEqual({ detail: "You do not have permission to perform this action." });

    const login = await call("/api/v1/auth/login", {
      method: "POST",
      headers: outside,
      json: { username: "nobody-here", password: "wrong" },
    });
    expect(login.status).toBe(401);
    expect((await call("/api/v1/auth/sso/config", { headers: outside })).status).toBe(200);
  });
});
