import { env } from "cloudflare:workers";
import { createDomainContext, issueHostCertificate } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "../auth-helpers";
import { call } from "../helpers";
import { webCryptoCsr } from "../pki-helpers";
import { nativeUser, ZITI, ztSession } from "../ziti-helpers";
import { zitiCertSession } from "./sec-pki";

// Issue 11 (low): zt-sessions outlived their authenticator, and `extend` /
// `extend-verify` worked from any session of the identity. A session now ends
// with its authenticator, extending needs a session authenticated with that
// very certificate authenticator, and `isCertExtendable` says so.

const current = async (zt: Record<string, string>) => call(`${ZITI}/current-api-session`, { headers: zt });

describe("Ziti sessions and certificate authenticators", () => {
  it("isCertExtendable: true for a certificate session, false for a password session", async () => {
    const s = await zitiCertSession();
    const cert = (await (await current(s.zt)).json()) as { data: { isCertExtendable: boolean } };
    expect(cert.data.isCertExtendable).toBe(true);
    const u = await nativeUser("reporter");
    const token = await ztSession(u.username, u.password);
    const pw = (await (await current({ "zt-session": token })).json()) as { data: { isCertExtendable: boolean } };
    expect(pw.data.isCertExtendable).toBe(false);
  });

  it("extend / extend-verify of another certificate authenticator than the session's → 401, nothing issued", async () => {
    const s = await zitiCertSession();
    const ctx = await createDomainContext(env, { requestId: "zt-extend", issuer: "http://127.0.0.1" });
    const host = await env.DB.prepare("SELECT host_id FROM certificates WHERE identity_id = ? LIMIT 1")
      .bind(s.identity_id)
      .first<{ host_id: string }>();
    if (!host?.host_id) throw new Error("no host");
    const second = await issueHostCertificate(ctx, host.host_id, undefined);
    const other = await env.DB.prepare("SELECT id FROM authenticators WHERE certificate_id = ?")
      .bind(second.client.row.id)
      .first<{ id: string }>();
    if (!other) throw new Error("no second authenticator");
    const before = await env.DB.prepare("SELECT count(*) AS n FROM certificates WHERE identity_id = ?")
      .bind(s.identity_id)
      .first<{ n: number }>();
    const ext = await call(`${ZITI}/current-identity/authenticators/${other.id}/extend`, {
      method: "POST",
      headers: s.zt,
      json: { clientCertCsr: await webCryptoCsr(`CN=${s.identity_id}`) },
    });
    expect(ext.status).toBe(401);
    const verify = await call(`${ZITI}/current-identity/authenticators/${other.id}/extend-verify`, {
      method: "POST",
      headers: s.zt,
      json: { clientCert: s.certPem },
    });
    expect(verify.status).toBe(401);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM certificates WHERE identity_id = ?")
      .bind(s.identity_id)
      .first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("revoking the certificate deletes the sessions authenticated with its authenticator", async () => {
    const s = await zitiCertSession();
    expect((await current(s.zt)).status).toBe(200);
    const admin = await adminLogin();
    const list = (await (
      await call(`/api/v1/certificates?host_id=${s.identity_id}`, { headers: bearer(admin) })
    ).json()) as { id: string }[];
    await call(`/api/v1/certificates/${list[0]?.id}`, { method: "DELETE", headers: bearer(admin) });
    expect((await current(s.zt)).status).toBe(401);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM api_sessions WHERE identity_id = ?")
      .bind(s.identity_id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});
