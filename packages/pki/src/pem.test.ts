import { describe, expect, it } from "vitest";
import { derToPem, parsePemBlocks, pemToDer, splitPemChain } from "./pem";
import { makeChain } from "./test-support";

const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);

describe("derToPem / pemToDer", () => {
  it("round-trips with 64-character lines and a trailing newline", () => {
    const pem = derToPem(bytes, "CERTIFICATE");
    const lines = pem.split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines.at(-2)).toBe("-----END CERTIFICATE-----");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(1, -2).every((line) => line.length <= 64)).toBe(true);
    expect(lines[1]?.length).toBe(64);
    expect(pemToDer(pem)).toEqual(bytes);
  });

  it("accepts ArrayBuffer input", () => {
    expect(pemToDer(derToPem(bytes.buffer, "X509 CRL"))).toEqual(bytes);
  });

  it("tolerates CRLF and surrounding whitespace", () => {
    const pem = `\r\n  ${derToPem(bytes, "CERTIFICATE").replaceAll("\n", "\r\n")}  \r\n`;
    expect(pemToDer(pem)).toEqual(bytes);
  });

  it("rejects bad labels and bad base64", () => {
    expect(() => derToPem(bytes, "bad label!")).toThrow(TypeError);
    expect(() => pemToDer("not pem")).toThrow(TypeError);
    expect(() => pemToDer("-----BEGIN X-----\n%%%%\n-----END X-----\n")).toThrow(TypeError);
    expect(() => pemToDer("-----BEGIN X-----\nAAAA\n-----END Y-----\n")).toThrow(TypeError);
    expect(() => pemToDer("-----BEGIN X-----\nAAA\n-----END X-----\n")).toThrow(TypeError); // bad padding
    expect(() => pemToDer("-----BEGIN X-----\n\n-----END X-----\n")).toThrow(TypeError); // empty
  });

  it("rejects RFC 1421 encapsulated headers", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    expect(parsePemBlocks(pem)).toBeNull();
  });
});

describe("parsePemBlocks strict mode", () => {
  it("refuses text outside the blocks only when strict", () => {
    const pem = `subject=CN=x\n${derToPem(bytes, "CERTIFICATE")}trailer`;
    expect(parsePemBlocks(pem)).toHaveLength(1);
    expect(parsePemBlocks(pem, { strict: true })).toBeNull();
    expect(parsePemBlocks(`  \n${derToPem(bytes, "CERTIFICATE")}\n `, { strict: true })).toHaveLength(1);
  });
});

describe("splitPemChain", () => {
  it("splits a chain into canonical single-certificate PEMs in order", async () => {
    const chain = await makeChain();
    const bundle = `# issuing\n${chain.issuing.certPem.replaceAll("\n", "\r\n")}\n# root\n${chain.root.certPem}`;
    const parts = splitPemChain(bundle);
    expect(parts).toEqual([chain.issuing.certPem, chain.root.certPem]);
  });

  it("returns an empty list for text without PEM and throws on a broken block", () => {
    expect(splitPemChain("")).toEqual([]);
    expect(() => splitPemChain("-----BEGIN CERTIFICATE-----\nAAAA\n")).toThrow(TypeError);
  });
});
