import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { createEnrollment, jtiOf } from "./pki-helpers";
import {
  issueClientCert,
  registerCa,
  type TestCa,
  testCa,
  tlsClientAuthOf,
  zitiCode,
  zitiMtls,
} from "./ziti-ca-helpers";

const AUTO = { isAutoCaEnrollmentEnabled: true, isAuthEnabled: true, identityRoles: ["third-party"] };

async function caCall(path: string, method: string, json?: unknown) {
  const admin = await adminLogin();
  return call(`/api/v1/ziti/cas${path}`, { method, headers: bearer(admin), ...(json === undefined ? {} : { json }) });
}

async function certLogin(tls: Record<string, string>) {
  return zitiMtls("/authenticate?method=cert", tls);
}

describe("third-party CAs: native management and proof of possession", () => {
  it("refuses what is not a CA certificate: garbage, a leaf, and non-admins", async () => {
    const garbage = await caCall("", "POST", { name: `ca-${crypto.randomUUID()}`, certPem: "not a pem" });
    expect(garbage.status).toBe(400);
    const ca = await testCa();
    const leaf = await issueClientCert(ca, "leaf");
    const notCa = await caCall("", "POST", { name: `ca-${crypto.randomUUID()}`, certPem: leaf.pem });
    expect(notCa.status).toBe(400);
    expect((await nativeError(notCa)).message).toMatch(/CA certificate/);
    const operator = await userWithRole("operator");
    const refused = await call("/api/v1/ziti/cas", {
      method: "POST",
      headers: bearer(operator.session),
      json: { name: `ca-${crypto.randomUUID()}`, certPem: ca.pem },
    });
    expect(refused.status).toBe(403);
  });

  it("a CA is verified only by a certificate it signed whose CN is its verification token; once", async () => {
    const ca = await testCa();
    const created = await registerCa(ca, {}, false);
    expect(created.isVerified).toBe(false);
    expect(created.verificationToken).toMatch(/^[0-9a-f]{32}$/);
    const token = created.verificationToken ?? "";
    const verify = (pem: string) => caCall(`/${created.id}/verify`, "POST", { certPem: pem });
    // Right CN, wrong signer.
    const other = await testCa();
    const forged = await verify((await issueClientCert(other, token)).pem);
    expect(forged.status).toBe(400);
    expect((await nativeError(forged)).code).toBe("validation_error");
    // Right signer, wrong CN.
    const wrongCn = await verify((await issueClientCert(ca, "not-the-token")).pem);
    expect(wrongCn.status).toBe(400);
    // Right signer and CN, but expired.
    const expired = await verify((await issueClientCert(ca, token, { notBefore: Date.now() - 48 * 3600_000 })).pem);
    expect(expired.status).toBe(400);
    expect(((await (await caCall(`/${created.id}`, "GET")).json()) as { isVerified: boolean }).isVerified).toBe(false);
    const ok = await verify((await issueClientCert(ca, token)).pem);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { isVerified: boolean; verificationToken: string | null };
    expect(body).toMatchObject({ isVerified: true, verificationToken: null });
    const again = await verify((await issueClientCert(ca, token)).pem);
    expect(again.status).toBe(409);
    // The same CA certificate cannot be registered twice.
    const dup = await caCall("", "POST", { name: `ca-${crypto.randomUUID()}`, certPem: ca.pem });
    expect(dup.status).toBe(409);
    // Every change is audited.
    const rows = await env.DB.prepare("SELECT action FROM audit_log WHERE target_id = ? ORDER BY at")
      .bind(created.id)
      .all<{ action: string }>();
    expect(rows.results.map((r) => r.action)).toEqual(["ziti.ca.create", "ziti.ca.verify"]);
  });
});

describe("POST /enroll/ca (auto-enrollment over mTLS)", () => {
  async function fixture(settings: Record<string, unknown> = AUTO, verify = true) {
    const ca = await testCa();
    const body = await registerCa(ca, settings, verify);
    return { ca, body };
  }
  const enrollCa = async (
    ca: TestCa,
    cn: string,
    opts: Parameters<typeof issueClientCert>[2] = {},
    verified?: string,
  ) => {
    const leaf = await issueClientCert(ca, cn, opts);
    const tls = await tlsClientAuthOf(leaf.cert, verified);
    return { res: await zitiMtls("/enroll/ca", tls), tls };
  };

  it("without a client certificate → 400 CERT_FAILED_VALIDATION", async () => {
    await fixture();
    const res = await zitiMtls("/enroll/ca", undefined);
    expect(res.status).toBe(400);
    expect(await zitiCode(res)).toBe("CERT_FAILED_VALIDATION");
  });

  it("an unverified CA, a CA without auto-enrollment, another CA's certificate, an expired one, one the edge did not verify → CERT_FAILED_VALIDATION", async () => {
    const unverified = await fixture(AUTO, false);
    const disabled = await fixture({ ...AUTO, isAutoCaEnrollmentEnabled: false });
    const good = await fixture();
    const stranger = await testCa();
    const cases = [
      await enrollCa(unverified.ca, "dev-unverified"),
      await enrollCa(disabled.ca, "dev-disabled"),
      await enrollCa(stranger, "dev-stranger"),
      await enrollCa(good.ca, "dev-expired", { notBefore: Date.now() - 48 * 3600_000 }),
      await enrollCa(good.ca, "dev-unverified-edge", {}, "FAILED:unable to verify the first certificate"),
    ];
    for (const { res } of cases) {
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string }; meta: unknown };
      expect(body.error.code).toBe("CERT_FAILED_VALIDATION");
      expect(body.error.message).toBe("certificate failed to validate against CA");
    }
  });

  it("creates the identity with the CA's roles and name format and a fingerprint-only cert authenticator; the certificate then authenticates", async () => {
    const { ca, body } = await fixture({ ...AUTO, identityNameFormat: "[caName]-[commonName]-[requestedName]" });
    const cn = `device-${crypto.randomUUID().slice(0, 8)}`;
    const leaf = await issueClientCert(ca, cn);
    const tls = await tlsClientAuthOf(leaf.cert);
    const res = await zitiMtls("/enroll/ca", tls, { json: { name: "kiosk" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: {}, meta: {} });
    const login = await certLogin(tls);
    expect(login.status).toBe(200);
    const session = (
      (await login.json()) as { data: { token: string; identity: { name: string }; isCertExtendable: boolean } }
    ).data;
    expect(session.identity.name).toBe(`${body.name}-${cn}-kiosk`);
    // Only network-issued certificates can be extended.
    expect(session.isCertExtendable).toBe(false);
    const zt = { "zt-session": session.token };
    const me = (await (await call("/edge/client/v1/current-identity", { headers: zt })).json()) as {
      data: { roleAttributes: string[]; authenticators: { cert?: { fingerprint: string } } };
    };
    expect(me.data.roleAttributes).toEqual(["third-party"]);
    expect(me.data.authenticators.cert?.fingerprint).toBe(tls.certFingerprintSHA1);
    const auths = (await (await call("/edge/client/v1/current-identity/authenticators", { headers: zt })).json()) as {
      data: { method: string; isIssuedByNetwork: boolean; fingerprint: string }[];
    };
    expect(auths.data).toEqual([
      expect.objectContaining({ method: "cert", isIssuedByNetwork: false, fingerprint: tls.certFingerprintSHA1 }),
    ]);
    // The same certificate again → 409 CERT_IN_USE.
    const again = await zitiMtls("/enroll/ca", tls);
    expect(again.status).toBe(409);
    expect(await zitiCode(again)).toBe("CERT_IN_USE");
  });

  it("the legacy enroll URL (`/enroll?method=ca`, what SDKs build from the CA's `em: ca` JWT) enrolls too", async () => {
    const { ca, body } = await fixture();
    const jwtRes = await caCall(`/${body.id}/jwt`, "GET");
    expect(jwtRes.status).toBe(200);
    expect(jwtRes.headers.get("content-type")).toBe("application/jwt");
    const claims = JSON.parse(
      atob(
        (new TextDecoder().decode(await jwtRes.arrayBuffer()).split(".")[1] ?? "")
          .replace(/-/g, "+")
          .replace(/_/g, "/"),
      ),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({ em: "ca", sub: body.id, jti: body.id });
    expect(claims.exp).toBeUndefined();
    const leaf = await issueClientCert(ca, `legacy-${crypto.randomUUID().slice(0, 8)}`);
    const tls = await tlsClientAuthOf(leaf.cert);
    const res = await zitiMtls("/enroll?method=ca", tls);
    expect(res.status).toBe(200);
    expect((await certLogin(tls)).status).toBe(200);
  });

  it("the Worker trusts only request.cf: a client's MF-CF-Blob header (Miniflare's local-dev channel) is no certificate", async () => {
    const { ca } = await fixture();
    const leaf = await issueClientCert(ca, `spoof-${crypto.randomUUID().slice(0, 8)}`);
    const tls = await tlsClientAuthOf(leaf.cert);
    const spoofed = (path: string) =>
      call(`/edge/client/v1${path}`, {
        method: "POST",
        headers: { "mf-cf-blob": JSON.stringify({ tlsClientAuth: tls }) },
        json: {},
      });
    const enroll = await spoofed("/enroll/ca");
    expect(enroll.status).toBe(400);
    expect(await zitiCode(enroll)).toBe("CERT_FAILED_VALIDATION");
    expect((await spoofed("/authenticate?method=cert")).status).toBe(401);
  });

  it("authentication follows the CA: isAuthEnabled off → 401; the CA deleted → its authenticators are gone", async () => {
    const { ca, body } = await fixture();
    const leaf = await issueClientCert(ca, `auth-${crypto.randomUUID().slice(0, 8)}`);
    const tls = await tlsClientAuthOf(leaf.cert);
    expect((await zitiMtls("/enroll/ca", tls)).status).toBe(200);
    expect((await certLogin(tls)).status).toBe(200);
    const off = await caCall(`/${body.id}`, "PUT", { ...AUTO, name: body.name, isAuthEnabled: false });
    expect(off.status).toBe(200);
    const refused = await certLogin(tls);
    expect(refused.status).toBe(401);
    expect(await zitiCode(refused)).toBe("INVALID_AUTH");
    await caCall(`/${body.id}`, "PUT", { ...AUTO, name: body.name });
    expect((await certLogin(tls)).status).toBe(200);
    expect((await caCall(`/${body.id}`, "DELETE")).status).toBe(200);
    expect((await certLogin(tls)).status).toBe(401);
    expect((await caCall(`/${body.id}`, "GET")).status).toBe(404);
  });
});

describe("POST /enroll/ottca (pre-created identity, one-time token, mTLS)", () => {
  const OTT = { isOttCaEnrollmentEnabled: true, isAuthEnabled: true };

  async function ottca(settings: Record<string, unknown> = OTT, verify = true) {
    const ca = await testCa();
    const body = await registerCa(ca, settings, verify);
    const e = await createEnrollment(`ottca-${crypto.randomUUID().slice(0, 8)}`, "service", "ott", {
      method: "ottca",
      ca_id: body.id,
    });
    return { ca, body, e, token: jtiOf(e.jwt) };
  }

  it("the native face creates ottca enrollments only with a CA, and a CA only with ottca", async () => {
    const admin = await adminLogin();
    const post = (json: unknown) => call("/api/v1/enrollments", { method: "POST", headers: bearer(admin), json });
    const name = () => `ottca-${crypto.randomUUID().slice(0, 8)}`;
    expect((await post({ name: name(), kind: "service", method: "ottca" })).status).toBe(400);
    const { body, e } = await ottca();
    expect((await post({ name: name(), kind: "service", method: "ott", ca_id: body.id })).status).toBe(400);
    expect((await post({ name: name(), kind: "service", method: "ottca", ca_id: crypto.randomUUID() })).status).toBe(
      400,
    );
    expect(e.method).toBe("ottca");
    const claims = JSON.parse(atob((e.jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as {
      em: string;
    };
    expect(claims.em).toBe("ottca");
  });

  it("refuses a bad token, another method's token, another CA's or an expired certificate, and a CA that does not allow it", async () => {
    const good = await ottca();
    const leaf = await issueClientCert(good.ca, "ottca-device");
    const tls = await tlsClientAuthOf(leaf.cert);
    const bad = await zitiMtls("/enroll/ottca", tls, { json: { token: crypto.randomUUID() } });
    expect(bad.status).toBe(400);
    expect(await zitiCode(bad)).toBe("INVALID_ENROLLMENT_TOKEN");
    const ott = await createEnrollment(`ott-${crypto.randomUUID().slice(0, 8)}`, "service", "ott");
    const wrongMethod = await zitiMtls("/enroll/ottca", tls, { json: { token: jtiOf(ott.jwt) } });
    expect(wrongMethod.status).toBe(400);
    expect(await zitiCode(wrongMethod)).toBe("INVALID_ENROLL_METHOD");
    const stranger = await tlsClientAuthOf((await issueClientCert(await testCa(), "x")).cert);
    const wrongChain = await zitiMtls("/enroll/ottca", stranger, { json: { token: good.token } });
    expect(wrongChain.status).toBe(400);
    expect(await zitiCode(wrongChain)).toBe("CERT_FAILED_VALIDATION");
    const old = await issueClientCert(good.ca, "old", { notBefore: Date.now() - 48 * 3600_000 });
    const expired = await zitiMtls("/enroll/ottca", await tlsClientAuthOf(old.cert), { json: { token: good.token } });
    expect(expired.status).toBe(400);
    expect(await zitiCode(expired)).toBe("CERT_FAILED_VALIDATION");
    const noCert = await zitiMtls("/enroll/ottca", undefined, { json: { token: good.token } });
    expect(await zitiCode(noCert)).toBe("CERT_FAILED_VALIDATION");
    for (const refused of [await ottca({ ...OTT, isOttCaEnrollmentEnabled: false }), await ottca(OTT, false)]) {
      const own = await tlsClientAuthOf((await issueClientCert(refused.ca, "d")).cert);
      const res = await zitiMtls("/enroll/ottca", own, { json: { token: refused.token } });
      expect(res.status).toBe(400);
      expect(await zitiCode(res)).toBe("ENROLLMENT_CA_NOT_VALID");
    }
    // None of the refusals burnt the token.
    const ok = await zitiMtls("/enroll/ottca", tls, { json: { token: good.token } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: {}, meta: {} });
  });

  it("is single-use under concurrency: two at once, exactly one succeeds; the certificate then authenticates as the identity", async () => {
    const { ca, e, token } = await ottca();
    const [a, b] = await Promise.all([
      (async () => tlsClientAuthOf((await issueClientCert(ca, "first")).cert))(),
      (async () => tlsClientAuthOf((await issueClientCert(ca, "second")).cert))(),
    ]);
    const results = await Promise.all([
      zitiMtls("/enroll/ottca", a, { json: { token } }),
      zitiMtls("/enroll/ottca", b, { json: { token } }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    const winner = results[0]?.status === 200 ? a : b;
    const loser = winner === a ? b : a;
    const login = await certLogin(winner);
    expect(login.status).toBe(200);
    expect(((await login.json()) as { data: { identityId: string } }).data.identityId).toBe(e.identity_id);
    expect((await certLogin(loser)).status).toBe(401);
    // Reused afterwards → already enrolled.
    const reused = await zitiMtls("/enroll/ottca", loser, { json: { token } });
    expect(reused.status).toBe(410);
    expect(await zitiCode(reused)).toBe("INVALID_ENROLLMENT_ALREADY_ENROLLED");
  });

  it("the legacy enroll URL (`/enroll?method=ottca&token=…`, an empty body) enrolls too", async () => {
    const { ca, token } = await ottca();
    const tls = await tlsClientAuthOf((await issueClientCert(ca, "legacy")).cert);
    const res = await zitiMtls(`/enroll?method=ottca&token=${token}`, tls);
    expect(res.status).toBe(200);
    expect((await certLogin(tls)).status).toBe(200);
  });
});
