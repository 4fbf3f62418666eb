import { env } from "cloudflare:workers";
import { fixtures } from "@fleetgate/pki/testing";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, login, userWithRole } from "./auth-helpers";
import { call } from "./helpers";
import { createEnrollment, enrollOtt, jtiOf, keyPair, webCryptoCsr, x509 } from "./pki-helpers";

const zitiError = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("enrollment creation (native, admin)", () => {
  it("operators are refused with forbidden_role", async () => {
    const op = await userWithRole("operator");
    const res = await call("/api/v1/enrollments", {
      method: "POST",
      headers: bearer(op.session),
      json: { name: "h", kind: "host", method: "ott" },
    });
    expect(res.status).toBe(403);
  });

  it("expiry below 5 minutes is refused", async () => {
    const admin = await adminLogin();
    const res = await call("/api/v1/enrollments", {
      method: "POST",
      headers: bearer(admin),
      json: { name: "h-short", kind: "host", method: "ott", expires_in: 60 },
    });
    expect(res.status).toBe(400);
  });

  it("a host cannot use updb", async () => {
    const admin = await adminLogin();
    const res = await call("/api/v1/enrollments", {
      method: "POST",
      headers: bearer(admin),
      json: { name: "h-updb", kind: "host", method: "updb" },
    });
    expect(res.status).toBe(400);
  });

  it("201 with a Ziti-format enrollment JWT (em, jti, sub, iss, exp, kid); default expiry 3 h", async () => {
    const e = await createEnrollment();
    expect(Object.keys(e).sort()).toEqual([
      "expires_at",
      "id",
      "identity_id",
      "install_command",
      "jwt",
      "method",
      "name",
    ]);
    // A host enrollment carries the one-line install; the token goes in the script's arguments, never in a URL.
    const install = (e as unknown as { install_command: string }).install_command;
    expect(install).toMatch(/^curl -fsSL \S+\/agent\/v1\/install\.sh \| sudo sh -s -- /);
    expect(install).toContain(e.jwt);
    expect(install.split("|")[0]).not.toContain(e.jwt);
    const [h, p] = e.jwt
      .split(".")
      .slice(0, 2)
      .map((s) => JSON.parse(atob(s.replace(/-/g, "+").replace(/_/g, "/"))));
    expect(h.alg).toBe("ES256");
    expect(typeof h.kid).toBe("string");
    expect(p.em).toBe("ott");
    expect(p.sub).toBe(e.identity_id);
    expect(p.iss).toBe("http://127.0.0.1");
    expect(p.exp - p.iat).toBe(3 * 3600);
    expect(p.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a duplicate name → 409", async () => {
    const e = await createEnrollment();
    const admin = await adminLogin();
    const res = await call("/api/v1/enrollments", {
      method: "POST",
      headers: bearer(admin),
      json: { name: e.name, kind: "host", method: "ott" },
    });
    expect(res.status).toBe(409);
  });
});

describe("POST /edge/client/v1/enroll/ott: refusals", () => {
  it("unknown token → 400 INVALID_ENROLLMENT_TOKEN", async () => {
    const res = await call("/edge/client/v1/enroll/ott", {
      method: "POST",
      json: { token: crypto.randomUUID(), clientCsr: await webCryptoCsr("CN=x") },
    });
    expect(res.status).toBe(400);
    expect(await zitiError(res)).toBe("INVALID_ENROLLMENT_TOKEN");
  });

  it("a JWT not signed by us → 400 INVALID_ENROLLMENT_TOKEN", async () => {
    const e = await createEnrollment();
    const [h, p] = e.jwt.split(".");
    const res = await call("/edge/client/v1/enroll/ott", {
      method: "POST",
      json: { token: `${h}.${p}.AAAA`, clientCsr: "x" },
    });
    expect(await zitiError(res)).toBe("INVALID_ENROLLMENT_TOKEN");
  });

  it("garbage CSR → MISSING_OR_INVALID_CSR, and the token still works afterwards", async () => {
    const e = await createEnrollment();
    const bad = await call("/edge/client/v1/enroll/ott", {
      method: "POST",
      json: { token: e.jwt, clientCsr: "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----" },
    });
    expect(bad.status).toBe(400);
    expect(await zitiError(bad)).toBe("MISSING_OR_INVALID_CSR");
    const { res } = await enrollOtt(e);
    expect(res.status).toBe(200);
  });

  it("missing CSR → MISSING_OR_INVALID_CSR", async () => {
    const e = await createEnrollment();
    const res = await call("/edge/client/v1/enroll/ott", { method: "POST", json: { token: e.jwt } });
    expect(await zitiError(res)).toBe("MISSING_OR_INVALID_CSR");
  });

  for (const [label, csr] of [
    ["RSA-1024", fixtures.RSA_1024_CSR],
    ["DSA", fixtures.DSA_2048_CSR],
    ["bad signature", fixtures.BAD_SIGNATURE_CSR],
    ["another identity's name", fixtures.OTHER_NAME_CSR],
    ["an over-long subject", fixtures.LONG_SUBJECT_CSR],
  ] as const) {
    it(`${label} → 400 COULD_NOT_PROCESS_CSR, no certificate`, async () => {
      const e = await createEnrollment();
      const res = await call("/edge/client/v1/enroll/ott", { method: "POST", json: { token: e.jwt, clientCsr: csr } });
      expect(res.status).toBe(400);
      expect(await zitiError(res)).toBe("COULD_NOT_PROCESS_CSR");
      const n = await env.DB.prepare("SELECT count(*) AS n FROM certificates WHERE identity_id = ?")
        .bind(e.identity_id)
        .first<{ n: number }>();
      expect(n?.n).toBe(0);
    });
  }

  it("a CSR for another identity's id → COULD_NOT_PROCESS_CSR", async () => {
    const e = await createEnrollment();
    const { res } = await enrollOtt(e, crypto.randomUUID());
    expect(await zitiError(res)).toBe("COULD_NOT_PROCESS_CSR");
  });

  it("an updb token used for ott → 400 INVALID_ENROLL_METHOD", async () => {
    const e = await createEnrollment(`u-${Date.now()}`, "user", "updb");
    const { res } = await enrollOtt(e);
    expect(await zitiError(res)).toBe("INVALID_ENROLL_METHOD");
  });

  it("an expired token → 400 ENROLLMENT_EXPIRED", async () => {
    const e = await createEnrollment();
    await env.DB.prepare("UPDATE enrollments SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, e.id)
      .run();
    const res = await call("/edge/client/v1/enroll/ott", {
      method: "POST",
      json: { token: jtiOf(e.jwt), clientCsr: await webCryptoCsr(`CN=${e.identity_id}`) },
    });
    expect(await zitiError(res)).toBe("ENROLLMENT_EXPIRED");
  });
});

describe("POST /edge/client/v1/enroll/ott: success", () => {
  it("returns {data:{cert,ca}} with Content-Type exactly application/json; the cert chains to the CA", async () => {
    const e = await createEnrollment();
    const { res } = await enrollOtt(e);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as { data: { cert: string; ca: string }; meta: object };
    expect(body.meta).toEqual({});
    const leaf = new x509.X509Certificate(body.data.cert);
    const chain = body.data.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(chain).toHaveLength(2);
    const issuing = new x509.X509Certificate(chain[0] ?? "");
    expect(await leaf.verify({ publicKey: issuing.publicKey, signatureOnly: true })).toBe(true);
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => n.value)).toContain(`spiffe://fleetgate.local/identity/${e.identity_id}`);
    expect(leaf.subject).toBe(`CN=${e.identity_id}`);
    const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual(["1.3.6.1.5.5.7.3.2"]);
    const days = (leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
  });

  it("the host's name is accepted as CN too", async () => {
    const e = await createEnrollment();
    const { res } = await enrollOtt(e, e.name);
    expect(res.status).toBe(200);
  });

  it("a token works once: reuse → 410 INVALID_ENROLLMENT_ALREADY_ENROLLED", async () => {
    const e = await createEnrollment();
    expect((await enrollOtt(e)).res.status).toBe(200);
    const again = await enrollOtt(e);
    expect(again.res.status).toBe(410);
    expect(await zitiError(again.res)).toBe("INVALID_ENROLLMENT_ALREADY_ENROLLED");
  });

  // The JWT with CN = identity id commits in one batch (nothing read first); CN = name reads first.
  for (const [label, kind, byName] of [
    ["a host by id (one batch)", "host", false],
    ["a host by name (read first)", "host", true],
    ["a user by id (one batch)", "user", false],
  ] as const) {
    it(`${label}: the audit entry names the enrollment, serial and key; a host's certificate its host`, async () => {
      const e = await createEnrollment(`${kind}-${crypto.randomUUID().slice(0, 8)}`, kind);
      const { res } = await enrollOtt(e, byName ? e.name : e.identity_id);
      expect(res.status).toBe(200);
      const cert = await env.DB.prepare("SELECT serial, host_id FROM certificates WHERE identity_id = ?")
        .bind(e.identity_id)
        .first<{ serial: string; host_id: string | null }>();
      expect(cert?.host_id).toBe(kind === "host" ? e.identity_id : null);
      const entry = await env.DB.prepare(
        "SELECT detail FROM audit_log WHERE action = 'enrollment.complete' AND target_type = 'identity' AND target_id = ?",
      )
        .bind(e.identity_id)
        .first<{ detail: string }>();
      expect(JSON.parse(entry?.detail ?? "{}")).toEqual({
        enrollment: e.id,
        method: "ott",
        serial: cert?.serial,
        key: "EC P-256",
      });
      const used = await env.DB.prepare("SELECT used_at FROM enrollments WHERE id = ?")
        .bind(e.id)
        .first<{ used_at: number | null }>();
      expect(used?.used_at).toEqual(expect.any(Number));
    });
  }

  it("a client's X-Request-Id lands in the one-batch entry as correlation_id", async () => {
    const e = await createEnrollment();
    const csr = await webCryptoCsr(`CN=${e.identity_id}`, await keyPair());
    const corr = `ott-${crypto.randomUUID().slice(0, 8)}`;
    const res = await call("/edge/client/v1/enroll/ott", {
      method: "POST",
      headers: { "x-request-id": corr },
      json: { token: e.jwt, clientCsr: csr },
    });
    expect(res.status).toBe(200);
    const entry = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'enrollment.complete' AND target_type = 'identity' AND target_id = ?",
    )
      .bind(e.identity_id)
      .first<{ detail: string }>();
    expect(JSON.parse(entry?.detail ?? "{}")).toMatchObject({ enrollment: e.id, method: "ott", correlation_id: corr });
  });

  it("an identity that already has a certificate authenticator → 410, and its second token stays unused", async () => {
    const e = await createEnrollment();
    expect((await enrollOtt(e)).res.status).toBe(200);
    // A second open ott enrollment for the same identity (no API makes one for an enrolled identity).
    const jti = crypto.randomUUID();
    const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(jti))))
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const id = `enr-${crypto.randomUUID()}`;
    await env.DB.prepare(
      "INSERT INTO enrollments (id, identity_id, method, token_hash, jwt_enc, expires_at, created_at) VALUES (?, ?, 'ott', ?, 'x', ?, ?)",
    )
      .bind(id, e.identity_id, hash, Date.now() + 3_600_000, Date.now())
      .run();
    const second = await enrollOtt({ jwt: jti, identity_id: e.identity_id });
    expect(second.res.status).toBe(410);
    expect(await zitiError(second.res)).toBe("INVALID_ENROLLMENT_ALREADY_ENROLLED");
    const row = await env.DB.prepare("SELECT used_at FROM enrollments WHERE id = ?")
      .bind(id)
      .first<{ used_at: number | null }>();
    expect(row?.used_at).toBeNull();
    const n = await env.DB.prepare("SELECT count(*) AS n FROM certificates WHERE identity_id = ?")
      .bind(e.identity_id)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
  });

  it("of concurrent attempts exactly one succeeds", async () => {
    const e = await createEnrollment();
    const csrs = await Promise.all(
      Array.from({ length: 6 }, async () => webCryptoCsr(`CN=${e.identity_id}`, await keyPair())),
    );
    const results = await Promise.all(
      csrs.map((csr) => call("/edge/client/v1/enroll/ott", { method: "POST", json: { token: e.jwt, clientCsr: csr } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect([409, 410]).toContain(r.status);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM certificates WHERE identity_id = ?")
      .bind(e.identity_id)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
  });

  it("legacy POST /enroll?method=ott&token=<jti> with a PEM body", async () => {
    const e = await createEnrollment();
    const csr = await webCryptoCsr(`CN=${e.identity_id}`);
    const res = await call(`/edge/client/v1/enroll?method=ott&token=${jtiOf(e.jwt)}`, {
      method: "POST",
      body: csr,
      headers: { "content-type": "application/x-pem-file" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    // and on the un-prefixed legacy path, a second identity:
    const e2 = await createEnrollment();
    const res2 = await call(`/enroll?method=ott&token=${jtiOf(e2.jwt)}`, {
      method: "POST",
      body: await webCryptoCsr(`CN=${e2.identity_id}`),
      headers: { "content-type": "application/pkcs10" },
    });
    expect(res2.status).toBe(200);
  });

  it("the private key is never sent: only the CSR crosses the wire, and no key is stored", async () => {
    const e = await createEnrollment();
    await enrollOtt(e);
    const row = await env.DB.prepare("SELECT * FROM certificates WHERE identity_id = ?").bind(e.identity_id).first();
    expect(JSON.stringify(row)).not.toContain("PRIVATE KEY");
  });
});

describe("updb enrollment", () => {
  it("sets the password of an identity created without one; it then logs in on the native face", async () => {
    const e = await createEnrollment(`person-${Date.now()}`, "user", "updb");
    const weak = await call(`/edge/client/v1/enroll/updb?token=${jtiOf(e.jwt)}`, {
      method: "POST",
      json: { password: "weakpass" },
    });
    expect(weak.status).toBe(400);
    const ok = await call(`/edge/client/v1/enroll/updb?token=${jtiOf(e.jwt)}`, {
      method: "POST",
      json: { password: "Updb-Pass-123!" },
    });
    expect(ok.status).toBe(200);
    await login(e.name, "Updb-Pass-123!");
    const again = await call(`/edge/client/v1/enroll/updb?token=${jtiOf(e.jwt)}`, {
      method: "POST",
      json: { password: "Updb-Pass-456!" },
    });
    expect(again.status).toBe(410);
  });
});

describe("enrollment keys, challenge, network JWT", () => {
  it("GET /enroll/jwks publishes the key that signed the enrollment JWT (not enveloped)", async () => {
    const e = await createEnrollment();
    const kid = JSON.parse(atob((e.jwt.split(".")[0] ?? "").replace(/-/g, "+").replace(/_/g, "/"))).kid;
    const jwks = (await (await call("/edge/client/v1/enroll/jwks")).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it("POST /enroll/challenge signs the nonce with any key the JWKS lists; a non-UUID nonce → 400, an unknown key → 404", async () => {
    const jwks = (await (await call("/edge/client/v1/enroll/jwks")).json()) as {
      keys: (JsonWebKey & { kid: string })[];
    };
    expect(jwks.keys.length).toBeGreaterThan(0);
    const challenge = (keyId: string | undefined, nonce: string) =>
      call("/edge/client/v1/enroll/challenge", { method: "POST", json: { keyId, nonce } });
    expect((await challenge(jwks.keys[0]?.kid, "nope")).status).toBe(400);
    expect((await challenge("A".repeat(43), crypto.randomUUID())).status).toBe(404);
    // Every listed key (the active one, and any retired one still published) answers.
    for (const jwk of jwks.keys) {
      const nonce = crypto.randomUUID();
      const res = await challenge(jwk.kid, nonce);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { algorithm: string; signature: string; kid: string; caPool: string };
      expect(body.kid).toBe(jwk.kid);
      const pub = await crypto.subtle.importKey(
        "jwk",
        { ...jwk, key_ops: ["verify"] } as JsonWebKey,
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      const sig = Uint8Array.from(atob(body.signature), (ch) => ch.charCodeAt(0));
      expect(
        await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, new TextEncoder().encode(nonce)),
      ).toBe(true);
      expect(body.caPool).toContain("BEGIN CERTIFICATE");
    }
  });

  it("GET /network-jwts → [{name:default, token}] with em=network, no exp", async () => {
    const res = await call("/edge/client/v1/network-jwts");
    const body = (await res.json()) as { data: { name: string; token: string }[] };
    expect(body.data[0]?.name).toBe("default");
    const p = JSON.parse(atob((body.data[0]?.token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    expect(p.em).toBe("network");
    expect(p.aud).toEqual(["openziti-enroller"]);
    expect(p.exp).toBeUndefined();
  });
});

describe("the Ziti identity detail shows an open enrollment", () => {
  it("enrollment.ott {id, jwt, token, expiresAt} until it is used", async () => {
    const e = await createEnrollment(`svc-${Date.now()}`, "service", "ott");
    const admin = await adminLogin();
    const t = await call(`/api/v1/service-accounts/${e.identity_id}/tokens`, {
      method: "POST",
      headers: bearer(admin),
      json: { name: "probe" },
    });
    const { secret } = (await t.json()) as { secret: string };
    const detail = async () =>
      (
        (await (
          await call("/edge/client/v1/current-identity", { headers: { authorization: `Token ${secret}` } })
        ).json()) as {
          data: { enrollment: Record<string, { id: string; jwt: string; token: string; expiresAt: string }> };
        }
      ).data.enrollment;
    const open = await detail();
    expect(open.ott?.id).toBe(e.id);
    expect(open.ott?.jwt).toBe(e.jwt);
    expect(open.ott?.token).toBe(jtiOf(e.jwt));
    expect(open.ott?.expiresAt).toBe(e.expires_at);
    expect((await enrollOtt(e)).res.status).toBe(200);
    expect(await detail()).toEqual({});
  });
});
