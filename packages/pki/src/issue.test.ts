import { beforeAll, describe, expect, it } from "vitest";
import { certificateInfo, verifyIssuedBy } from "./certificate";
import { checkCsr } from "./csr";
import * as fx from "./fixtures";
import { generateKeyAndCertificate, type IssueCertificateOptions, issueCertificate, spiffeIdFor } from "./issue";
import { derToPem, pemToDer } from "./pem";
import { cert, keyPair, makeChain } from "./test-support";
import { x509 } from "./x509";

type Chain = Awaited<ReturnType<typeof makeChain>>;
let chain: Chain;
beforeAll(async () => {
  chain = await makeChain();
});

const now = new Date("2026-06-01T12:00:00.500Z");

async function options(overrides: Partial<IssueCertificateOptions> = {}): Promise<IssueCertificateOptions> {
  return {
    issuer: chain.issuing,
    publicKey: (await keyPair()).publicKey,
    commonName: "host-1.fleetgate.test",
    identityId: "id_01HZX3",
    trustDomain: "fleetgate.local",
    kind: "client",
    lifetimeSeconds: 86_400,
    crlUrl: "https://fleetgate.example/pki/crl",
    now,
    ...overrides,
  };
}

function ekus(c: x509.X509Certificate): string[] {
  return (c.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []).map(String);
}

function sans(c: x509.X509Certificate): { type: string; value: string }[] {
  return c.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
}

describe("issueCertificate", () => {
  it("issues a client certificate with the Fleetgate end-entity profile", async () => {
    const issued = await issueCertificate(await options());
    const c = cert(issued.certPem);

    expect(issued.subject).toBe("CN=host-1.fleetgate.test");
    expect(c.subject).toBe(issued.subject);
    expect(c.issuer).toBe(cert(chain.issuing.certPem).subject);
    expect(c.signatureAlgorithm).toMatchObject({ name: "ECDSA", hash: { name: "SHA-256" } });

    // Serial: 16 octets, positive, 32 lowercase hex characters, as the certificate says.
    expect(issued.serialHex).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(c.serialNumber.toLowerCase()).toBe(issued.serialHex);

    // Validity: 60 s of back-dating for clock skew, lifetime from now (to the second).
    expect(issued.notBefore.toISOString()).toBe("2026-06-01T11:59:00.000Z");
    expect(issued.notAfter.toISOString()).toBe("2026-06-02T12:00:00.000Z");
    expect(c.notBefore).toEqual(issued.notBefore);
    expect(c.notAfter).toEqual(issued.notAfter);

    const basic = c.getExtension(x509.BasicConstraintsExtension);
    expect(basic?.ca).toBe(false);
    expect(basic?.critical).toBe(true);
    const usage = c.getExtension(x509.KeyUsagesExtension);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(usage?.critical).toBe(true);
    expect(ekus(c)).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(sans(c)).toEqual([{ type: "url", value: "spiffe://fleetgate.local/identity/id_01HZX3" }]);
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      cert(chain.issuing.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    const crlDp = c.getExtension(x509.CRLDistributionPointsExtension);
    expect(crlDp?.distributionPoints[0]?.distributionPoint?.fullName?.[0]?.uniformResourceIdentifier).toBe(
      "https://fleetgate.example/pki/crl",
    );
    expect(c.extensions.map((e) => e.type).sort()).toEqual(
      ["2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17", "2.5.29.14", "2.5.29.35", "2.5.29.31"].sort(),
    );
  });

  it("reports fingerprints of the DER", async () => {
    const issued = await issueCertificate(await options());
    const der = pemToDer(issued.certPem);
    const hex = async (alg: string) =>
      [...new Uint8Array(await crypto.subtle.digest(alg, der))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(issued.fingerprintSha1).toBe(await hex("SHA-1"));
    expect(issued.fingerprintSha256).toBe(await hex("SHA-256"));
    expect(issued.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("chains to the issuing CA and on to the root", async () => {
    const issued = await issueCertificate(await options());
    const leaf = cert(issued.certPem);
    const issuing = cert(chain.issuing.certPem);
    const root = cert(chain.root.certPem);
    expect(await leaf.verify({ publicKey: issuing, date: now })).toBe(true);
    expect(await issuing.verify({ publicKey: root })).toBe(true);
    expect(await verifyIssuedBy(issued.certPem, chain.issuing.certPem)).toBe(true);
    expect(await verifyIssuedBy(issued.certPem, chain.root.certPem)).toBe(false);

    const built = await new x509.X509ChainBuilder({ certificates: [issuing, root] }).build(leaf);
    expect(built.map((c) => c.subject)).toEqual([leaf.subject, issuing.subject, root.subject]);
  });

  it("gives server certificates serverAuth+clientAuth and DNS SANs", async () => {
    const issued = await issueCertificate(
      await options({ kind: "server", dnsNames: ["Api.Fleetgate.Test", "*.hosts.fleetgate.test"] }),
    );
    const c = cert(issued.certPem);
    expect(ekus(c)).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(sans(c)).toEqual([
      { type: "url", value: "spiffe://fleetgate.local/identity/id_01HZX3" },
      { type: "dns", value: "api.fleetgate.test" },
      { type: "dns", value: "*.hosts.fleetgate.test" },
    ]);
  });

  it("gives session certificates clientAuth only", async () => {
    const c = cert((await issueCertificate(await options({ kind: "session", lifetimeSeconds: 300 }))).certPem);
    expect(ekus(c)).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(360_000);
  });

  it("adds keyEncipherment for RSA keys", async () => {
    const rsa = await keyPair({
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    });
    const c = cert((await issueCertificate(await options({ publicKey: rsa.publicKey }))).certPem);
    expect(c.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
    expect(c.publicKey.algorithm).toMatchObject({ name: "RSASSA-PKCS1-v1_5" });
  });

  it("never copies extensions requested in the CSR", async () => {
    const checked = await checkCsr(fx.WITH_EXTENSIONS_CSR, { allowedCommonNames: [fx.FIXTURE_CN] });
    if (!checked.ok) throw new Error(checked.error);
    const issued = await issueCertificate(
      await options({ publicKey: checked.csr.publicKey, commonName: checked.csr.commonName }),
    );
    const c = cert(issued.certPem);
    expect(c.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(c.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(ekus(c)).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(JSON.stringify(sans(c))).not.toContain("evil");
    expect(issued.certPem).not.toContain("evil");
    expect(new TextDecoder().decode(pemToDer(issued.certPem))).not.toContain("evil.example");
    // The certified key is the CSR's.
    expect(new Uint8Array(c.publicKey.rawData)).toEqual(new Uint8Array(checked.csr.spki));
  });

  it("issues for each accepted OpenSSL CSR key type", async () => {
    for (const pem of [fx.EC_P256_CSR, fx.EC_P384_CSR, fx.RSA_2048_CSR]) {
      const checked = await checkCsr(pem, { allowedCommonNames: [fx.FIXTURE_CN] });
      if (!checked.ok) throw new Error(checked.error);
      const issued = await issueCertificate(await options({ publicKey: checked.csr.publicKey }));
      expect(await verifyIssuedBy(issued.certPem, chain.issuing.certPem)).toBe(true);
    }
  });

  it("encodes a CN containing DN syntax as a single CN attribute", async () => {
    const c = cert((await issueCertificate(await options({ commonName: "a,O=evil+CN=root" }))).certPem);
    expect(c.subjectName.getField("CN")).toEqual(["a,O=evil+CN=root"]);
    expect(c.subjectName.getField("O")).toEqual([]);
  });

  it("clamps notAfter to the issuing CA's notAfter", async () => {
    const issuingNotAfter = cert(chain.issuing.certPem).notAfter;
    const issued = await issueCertificate(await options({ now: new Date(), lifetimeSeconds: 10 * 365 * 86_400 }));
    expect(issued.notAfter).toEqual(issuingNotAfter);
  });

  it("uses a fresh serial every time", async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) serials.add((await issueCertificate(await options())).serialHex);
    expect(serials.size).toBe(20);
  });

  it.each<[string, Partial<IssueCertificateOptions>]>([
    ["empty CN", { commonName: "" }],
    ["65-character CN", { commonName: "x".repeat(65) }],
    ["trust domain with a slash", { trustDomain: "a/b" }],
    ["upper-case trust domain", { trustDomain: "Fleetgate.Local" }],
    ["identityId with a slash", { identityId: "a/b" }],
    ["identityId ..", { identityId: ".." }],
    ["zero lifetime", { lifetimeSeconds: 0 }],
    ["non-http CRL URL", { crlUrl: "ldap://x" }],
    ["DNS names on a client certificate", { dnsNames: ["a.example"] }],
    ["invalid DNS name", { kind: "server", dnsNames: ["bad name"] }],
  ])("rejects %s", async (_name, overrides) => {
    await expect(issueCertificate(await options(overrides))).rejects.toThrow();
  });

  it("rejects a private key as subject key and a non-CA issuer", async () => {
    const keys = await keyPair();
    await expect(issueCertificate(await options({ publicKey: keys.privateKey }))).rejects.toThrow(TypeError);
    const leaf = await generateKeyAndCertificate(await options());
    const leafKey = await crypto.subtle.importKey(
      "pkcs8",
      pemToDer(leaf.keyPem),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    await expect(
      issueCertificate(await options({ issuer: { certPem: leaf.certPem, privateKey: leafKey } })),
    ).rejects.toThrow(/not a CA/);
    await expect(
      issueCertificate(await options({ issuer: { certPem: chain.issuing.certPem, privateKey: chain.rootKey } })),
    ).rejects.toThrow(/does not match/);
  });
});

describe("generateKeyAndCertificate", () => {
  it("returns a PKCS#8 P-256 key matching the certificate", async () => {
    const { publicKey: _unused, ...rest } = await options();
    const issued = await generateKeyAndCertificate({ ...rest, kind: "server", dnsNames: ["h.example"] });
    expect(issued.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    const privateKey = await crypto.subtle.importKey(
      "pkcs8",
      pemToDer(issued.keyPem),
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign"],
    );
    const data = new TextEncoder().encode("proof");
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, data);
    const publicKey = await cert(issued.certPem).publicKey.export({ name: "ECDSA", namedCurve: "P-256" }, ["verify"]);
    expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, signature, data)).toBe(true);
    expect(await verifyIssuedBy(issued.certPem, chain.issuing.certPem)).toBe(true);
  });
});

describe("certificateInfo", () => {
  it("parses a certificate we issued", async () => {
    const issued = await issueCertificate(await options());
    const info = await certificateInfo(issued.certPem);
    expect(info).toEqual({
      serialHex: issued.serialHex,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      fingerprintSha1: issued.fingerprintSha1,
      fingerprintSha256: issued.fingerprintSha256,
      subject: issued.subject,
      commonName: "host-1.fleetgate.test",
      spiffeId: spiffeIdFor("fleetgate.local", "id_01HZX3"),
    });
  });

  it("parses a CA certificate (no SPIFFE ID) and a CRLF chain's first certificate", async () => {
    const info = await certificateInfo((chain.issuing.certPem + chain.root.certPem).replaceAll("\n", "\r\n"));
    expect(info.commonName).toBe("Fleetgate Test Issuing CA");
    expect(info.spiffeId).toBeUndefined();
  });

  it("throws TypeError on garbage", async () => {
    await expect(certificateInfo("nope")).rejects.toThrow(TypeError);
    await expect(certificateInfo(fx.EC_P256_CSR)).rejects.toThrow(TypeError);
  });
});

describe("verifyIssuedBy", () => {
  it("is false for garbage, foreign CAs and tampered certificates", async () => {
    const issued = await issueCertificate(await options());
    const other = await makeChain();
    expect(await verifyIssuedBy("garbage", chain.issuing.certPem)).toBe(false);
    expect(await verifyIssuedBy(issued.certPem, "garbage")).toBe(false);
    // Same DN, different key: names chain but AKI/signature do not.
    expect(await verifyIssuedBy(issued.certPem, other.issuing.certPem)).toBe(false);
    const der = pemToDer(issued.certPem);
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    expect(await verifyIssuedBy(derToPem(der, "CERTIFICATE"), chain.issuing.certPem)).toBe(false);
  });
});
