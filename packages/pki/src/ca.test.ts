import { describe, expect, it } from "vitest";
import { createCa, exportPrivateKeyPkcs8, importCaPrivateKey } from "./ca";
import { verifyIssuedBy } from "./certificate";
import { cert, makeChain } from "./test-support";
import { x509 } from "./x509";

describe("createCa", () => {
  it("creates a self-signed ECDSA P-256 root with the CA profile", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const root = await createCa({ commonName: "Root", days: 10, now });
    const c = cert(root.certPem);
    expect(c.subject).toBe("CN=Root");
    expect(c.issuer).toBe("CN=Root");
    expect(await c.isSelfSigned()).toBe(true);
    expect(c.signatureAlgorithm).toMatchObject({ name: "ECDSA", hash: { name: "SHA-256" } });
    expect(c.publicKey.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
    expect(c.notBefore.toISOString()).toBe("2029-12-31T23:59:00.000Z");
    expect(c.notAfter.toISOString()).toBe("2030-01-11T00:00:00.000Z");

    const basic = c.getExtension(x509.BasicConstraintsExtension);
    expect(basic?.ca).toBe(true);
    expect(basic?.critical).toBe(true);
    expect(basic?.pathLength).toBeUndefined();
    const usage = c.getExtension(x509.KeyUsagesExtension);
    expect(usage?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);

    expect(root.privateKey.extractable).toBe(true);
    expect(root.privateKey.usages).toEqual(["sign"]);
    expect(root.publicKey.type).toBe("public");
  });

  it("creates an issuing CA signed by the root with pathLen 0 and AKI = root SKI", async () => {
    const chain = await makeChain();
    const root = cert(chain.root.certPem);
    const issuing = cert(chain.issuing.certPem);
    expect(issuing.issuer).toBe(root.subject);
    expect(issuing.getExtension(x509.BasicConstraintsExtension)?.pathLength).toBe(0);
    expect(issuing.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      root.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(await issuing.verify({ publicKey: root })).toBe(true);
    expect(await verifyIssuedBy(chain.issuing.certPem, chain.root.certPem)).toBe(true);
    expect(await verifyIssuedBy(chain.root.certPem, chain.issuing.certPem)).toBe(false);

    const built = await new x509.X509ChainBuilder({ certificates: [root] }).build(issuing);
    expect(built.map((c) => c.subject)).toEqual([issuing.subject, root.subject]);
  });

  it("never lets the issuing CA outlive the root", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const root = await createCa({ commonName: "Root", days: 30, now });
    const issuing = await createCa({ commonName: "Issuing", days: 365, issuer: root, now });
    expect(cert(issuing.certPem).notAfter).toEqual(cert(root.certPem).notAfter);
  });

  it("uses unique random serials", async () => {
    const a = await createCa({ commonName: "A", days: 1 });
    const b = await createCa({ commonName: "A", days: 1 });
    expect(cert(a.certPem).serialNumber).not.toBe(cert(b.certPem).serialNumber);
  });

  it("refuses a mismatched issuer key and a non-CA issuer", async () => {
    const root = await createCa({ commonName: "Root", days: 30 });
    const other = await createCa({ commonName: "Other", days: 30 });
    await expect(
      createCa({ commonName: "I", days: 1, issuer: { certPem: root.certPem, privateKey: other.privateKey } }),
    ).rejects.toThrow(/does not match/);
    await expect(createCa({ commonName: "", days: 1 })).rejects.toThrow(RangeError);
    await expect(createCa({ commonName: "x".repeat(65), days: 1 })).rejects.toThrow(RangeError);
    await expect(createCa({ commonName: "x", days: 0 })).rejects.toThrow(RangeError);
  });
});

describe("PKCS#8 export / import", () => {
  it("round-trips a CA key that still signs for the certificate", async () => {
    const root = await createCa({ commonName: "Root", days: 30 });
    const pkcs8 = await exportPrivateKeyPkcs8(root.privateKey);
    expect(pkcs8).toBeInstanceOf(Uint8Array);
    const imported = await importCaPrivateKey(pkcs8);
    expect(imported.type).toBe("private");
    expect(imported.extractable).toBe(false);
    expect(imported.usages).toEqual(["sign"]);
    expect(imported.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
    const issuing = await createCa({
      commonName: "I",
      days: 1,
      issuer: { certPem: root.certPem, privateKey: imported },
    });
    expect(await verifyIssuedBy(issuing.certPem, root.certPem)).toBe(true);
  });

  it("rejects garbage PKCS#8", async () => {
    await expect(importCaPrivateKey(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});
