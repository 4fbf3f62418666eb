import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64 } from "./bytes";
import { pemToDer } from "./pem";
import { certsOnlyPkcs7, estCacertsBody } from "./pkcs7";
import { makeChain } from "./test-support";
import { x509 } from "./x509";

type Chain = Awaited<ReturnType<typeof makeChain>>;
let chain: Chain;
beforeAll(async () => {
  chain = await makeChain();
});

describe("certsOnlyPkcs7", () => {
  it("round-trips through @peculiar/x509 with certificates in order", () => {
    const der = certsOnlyPkcs7([chain.issuing.certPem, chain.root.certPem]);
    const certs = new x509.X509Certificates(der);
    expect(certs).toHaveLength(2);
    expect(new Uint8Array(certs[0]?.rawData ?? new ArrayBuffer(0))).toEqual(pemToDer(chain.issuing.certPem));
    expect(new Uint8Array(certs[1]?.rawData ?? new ArrayBuffer(0))).toEqual(pemToDer(chain.root.certPem));
  });

  it("has the exact degenerate SignedData shape (no eContent, no signers)", () => {
    const der = certsOnlyPkcs7([chain.root.certPem]);
    const rootDer = pemToDer(chain.root.certPem);
    const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    const text = hex(der);
    // ContentInfo: id-signedData, then SignedData { version 1, digestAlgorithms {}, encapContentInfo { id-data } ...
    expect(text).toContain("06092a864886f70d010702");
    expect(text).toContain("0201013100300b06092a864886f70d010701a0");
    // ... certificates [0] { cert }, signerInfos {} at the very end.
    expect(text.endsWith(`${hex(rootDer)}3100`)).toBe(true);
  });

  it("accepts a chain PEM in one string and equals the per-certificate form", () => {
    expect(certsOnlyPkcs7([chain.issuing.certPem + chain.root.certPem])).toEqual(
      certsOnlyPkcs7([chain.issuing.certPem, chain.root.certPem]),
    );
  });

  it("throws on empty input, garbage and non-certificate PEM", () => {
    expect(() => certsOnlyPkcs7([])).toThrow(TypeError);
    expect(() => certsOnlyPkcs7(["garbage"])).toThrow(TypeError);
    expect(() => certsOnlyPkcs7(["-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"])).toThrow(TypeError);
    expect(() => certsOnlyPkcs7(["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])).toThrow();
  });
});

describe("estCacertsBody", () => {
  it("is base64 in 64-character lines with no trailing newline", () => {
    const body = estCacertsBody([chain.issuing.certPem, chain.root.certPem]);
    const lines = body.split("\n");
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(0, -1).every((l) => l.length === 64)).toBe(true);
    expect(lines.at(-1)?.length).toBeGreaterThan(0);
    expect(lines.at(-1)?.length).toBeLessThanOrEqual(64);
    expect(body.endsWith("\n")).toBe(false);
    expect(body).not.toContain("\r");
    expect(body).not.toContain("-----");

    const der = fromBase64(lines.join(""));
    if (!der) throw new Error("not base64");
    expect(der).toEqual(certsOnlyPkcs7([chain.issuing.certPem, chain.root.certPem]));
    expect(new x509.X509Certificates(der)).toHaveLength(2);
  });
});
