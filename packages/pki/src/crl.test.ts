import { beforeAll, describe, expect, it } from "vitest";
import { createCa } from "./ca";
import { buildCrl, REVOCATION_REASON_CODES, type RevocationReason } from "./crl";
import { issueCertificate } from "./issue";
import { pemToDer } from "./pem";
import { cert, keyPair, makeChain } from "./test-support";
import { x509 } from "./x509";

type Chain = Awaited<ReturnType<typeof makeChain>>;
let chain: Chain;
beforeAll(async () => {
  chain = await makeChain();
});

const thisUpdate = new Date("2026-06-01T00:00:00Z");
const nextUpdate = new Date("2026-06-01T06:00:00Z");

describe("buildCrl", () => {
  it("builds a signed v2 CRL with CRL number, AKI and per-entry reasons", async () => {
    const issued = await issueCertificate({
      issuer: chain.issuing,
      publicKey: (await keyPair()).publicKey,
      commonName: "host-1",
      identityId: "h1",
      trustDomain: "fleetgate.local",
      kind: "client",
      lifetimeSeconds: 3600,
      crlUrl: "https://fleetgate.example/crl",
    });
    const revokedAt = new Date("2026-05-31T10:20:30.999Z");
    const pem = await buildCrl({
      issuer: chain.issuing,
      revoked: [
        { serialHex: issued.serialHex, revokedAt, reason: "keyCompromise" },
        { serialHex: "0A", revokedAt, reason: "superseded" },
        { serialHex: "00ff01", revokedAt, reason: "unspecified" },
      ],
      thisUpdate,
      nextUpdate,
      crlNumber: 42,
    });
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----\n[\s\S]+\n-----END X509 CRL-----\n$/);

    const crl = new x509.X509Crl(pemToDer(pem));
    const issuing = cert(chain.issuing.certPem);
    expect(crl.version).toBe(1); // v2
    expect(crl.issuer).toBe(issuing.subject);
    expect(crl.thisUpdate).toEqual(thisUpdate);
    expect(crl.nextUpdate).toEqual(nextUpdate);
    expect(crl.signatureAlgorithm).toMatchObject({ name: "ECDSA", hash: { name: "SHA-256" } });
    expect(await crl.verify({ publicKey: issuing })).toBe(true);
    expect(await crl.verify({ publicKey: cert(chain.root.certPem) })).toBe(false);

    const entry = crl.findRevoked(cert(issued.certPem));
    expect(entry?.reason).toBe(x509.X509CrlReason.keyCompromise);
    expect(entry?.revocationDate).toEqual(new Date("2026-05-31T10:20:30Z"));
    expect(crl.findRevoked("0a")?.reason).toBe(x509.X509CrlReason.superseded);
    // RFC 5280 §5.3.1: unspecified is expressed by omitting reasonCode.
    const unspecified = crl.findRevoked("ff01");
    expect(unspecified).not.toBeNull();
    expect(unspecified?.reason).toBeUndefined();
    expect(crl.entries).toHaveLength(3);

    const aki = crl.getExtension(x509.AuthorityKeyIdentifierExtension);
    expect(aki?.keyId).toBe(issuing.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    const crlNumber = crl.getExtension("2.5.29.20");
    expect(crlNumber?.critical).toBe(false);
    expect(new Uint8Array(crlNumber?.value ?? new ArrayBuffer(0))).toEqual(Uint8Array.of(0x02, 0x01, 42));
  });

  it("encodes every revocation reason", async () => {
    const reasons = Object.keys(REVOCATION_REASON_CODES) as RevocationReason[];
    const pem = await buildCrl({
      issuer: chain.issuing,
      revoked: reasons.map((reason, i) => ({
        serialHex: (i + 1).toString(16).padStart(2, "0"),
        revokedAt: thisUpdate,
        reason,
      })),
      thisUpdate,
      nextUpdate,
      crlNumber: 1,
    });
    const crl = new x509.X509Crl(pemToDer(pem));
    reasons.forEach((reason, i) => {
      const entry = crl.findRevoked((i + 1).toString(16).padStart(2, "0"));
      const code = REVOCATION_REASON_CODES[reason];
      expect(entry?.reason).toBe(code === 0 ? undefined : code);
    });
  });

  it("builds an empty CRL and encodes large CRL numbers as positive INTEGERs", async () => {
    const pem = await buildCrl({ issuer: chain.issuing, revoked: [], thisUpdate, nextUpdate, crlNumber: 128 });
    const crl = new x509.X509Crl(pemToDer(pem));
    expect(crl.entries).toHaveLength(0);
    expect(new Uint8Array(crl.getExtension("2.5.29.20")?.value ?? new ArrayBuffer(0))).toEqual(
      Uint8Array.of(0x02, 0x02, 0x00, 0x80),
    );
    expect(await crl.verify({ publicKey: cert(chain.issuing.certPem) })).toBe(true);
  });

  it("rejects bad input", async () => {
    const base = { issuer: chain.issuing, revoked: [], thisUpdate, nextUpdate, crlNumber: 1 };
    await expect(buildCrl({ ...base, nextUpdate: thisUpdate })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, crlNumber: -1 })).rejects.toThrow(RangeError);
    await expect(buildCrl({ ...base, crlNumber: 1.5 })).rejects.toThrow(RangeError);
    await expect(
      buildCrl({ ...base, revoked: [{ serialHex: "zz", revokedAt: thisUpdate, reason: "superseded" }] }),
    ).rejects.toThrow(TypeError);
    await expect(
      buildCrl({
        ...base,
        revoked: [
          { serialHex: "0a", revokedAt: thisUpdate, reason: "superseded" },
          { serialHex: "000A", revokedAt: thisUpdate, reason: "keyCompromise" },
        ],
      }),
    ).rejects.toThrow(/twice/);
    await expect(
      buildCrl({ ...base, issuer: { certPem: chain.issuing.certPem, privateKey: chain.rootKey } }),
    ).rejects.toThrow(/does not match/);
  });

  it("can be built by the root for the issuing CA (a CA-level CRL)", async () => {
    const root = await createCa({ commonName: "R", days: 10 });
    const pem = await buildCrl({
      issuer: { certPem: root.certPem, privateKey: root.privateKey },
      revoked: [{ serialHex: cert(chain.issuing.certPem).serialNumber, revokedAt: thisUpdate, reason: "caCompromise" }],
      thisUpdate,
      nextUpdate,
      crlNumber: 7,
    });
    const crl = new x509.X509Crl(pemToDer(pem));
    expect(crl.entries[0]?.reason).toBe(x509.X509CrlReason.cACompromise);
    expect(await crl.verify({ publicKey: cert(root.certPem) })).toBe(true);
  });
});
