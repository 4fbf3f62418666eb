import { describe, expect, it } from "vitest";
import { toBase64 } from "./bytes";
import { type CsrError, checkCsr, MAX_CSR_PEM_BYTES } from "./csr";
import * as fx from "./fixtures";
import { derToPem, pemToDer } from "./pem";
import { keyPair, webCryptoCsr } from "./test-support";
import { x509 } from "./x509";

const policy = { allowedCommonNames: [fx.FIXTURE_CN] };

async function refusal(pem: string, allowed = policy): Promise<CsrError | "accepted"> {
  const result = await checkCsr(pem, allowed);
  return result.ok ? "accepted" : result.error;
}

describe("checkCsr: accepted OpenSSL CSRs", () => {
  it.each([
    ["EC P-256", fx.EC_P256_CSR, "EC P-256"],
    ["EC P-384", fx.EC_P384_CSR, "EC P-384"],
    ["RSA-2048", fx.RSA_2048_CSR, "RSA-2048"],
  ])("%s", async (_name, pem, keyAlgorithm) => {
    const result = await checkCsr(pem, policy);
    if (!result.ok) throw new Error(`refused: ${result.error}`);
    expect(result.csr.keyAlgorithm).toBe(keyAlgorithm);
    expect(result.csr.commonName).toBe(fx.FIXTURE_CN);
    expect(result.csr.subject).toBe(`CN=${fx.FIXTURE_CN}`);
    expect(result.csr.publicKey.type).toBe("public");
    expect(result.csr.publicKey.usages).toEqual(["verify"]);
    // The SPKI is the CSR's, byte for byte, and matches the imported key.
    const exported = await crypto.subtle.exportKey("spki", result.csr.publicKey);
    expect(new Uint8Array(result.csr.spki)).toEqual(new Uint8Array(exported as ArrayBuffer));
  });

  it("tolerates CRLF line endings and surrounding whitespace", async () => {
    expect(await refusal(`\r\n\t ${fx.EC_P256_CSR.replaceAll("\n", "\r\n")}  \n\n`)).toBe("accepted");
  });

  it("accepts the legacy NEW CERTIFICATE REQUEST label", async () => {
    expect(await refusal(derToPem(pemToDer(fx.EC_P256_CSR), "NEW CERTIFICATE REQUEST"))).toBe("accepted");
  });

  it("ignores requested extensions (they are the issuer's business, see issue.test.ts)", async () => {
    expect(await refusal(fx.WITH_EXTENSIONS_CSR)).toBe("accepted");
    expect(await refusal(fx.WITH_OTHERNAME_CSR)).toBe("accepted");
  });
});

describe("checkCsr: WebCrypto-made CSRs", () => {
  it("accepts an ECDSA P-256 CSR from Pkcs10CertificateRequestGenerator", async () => {
    const pem = await webCryptoCsr([{ CN: ["agent-42"] }]);
    const result = await checkCsr(pem, { allowedCommonNames: ["agent-42"] });
    expect(result.ok && result.csr.keyAlgorithm).toBe("EC P-256");
  });

  it("accepts RSA-PSS-signed and RSA-3072 CSRs, reporting the exact modulus size", async () => {
    const keys = await keyPair({
      name: "RSA-PSS",
      modulusLength: 3072,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    });
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: ["agent-42"] }],
      keys,
      signingAlgorithm: { name: "RSA-PSS", hash: "SHA-256", saltLength: 32 },
    });
    // WebCrypto exports RSA-PSS keys with the rsaEncryption SPKI OID, so this is an ordinary RSA key.
    const result = await checkCsr(csr.toString("pem"), { allowedCommonNames: ["agent-42"] });
    expect(result.ok && result.csr.keyAlgorithm).toBe("RSA-3072");
  });

  it("refuses a CSR signed by a different key than the one it certifies", async () => {
    const a = await keyPair();
    const b = await keyPair();
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: ["agent-42"] }],
      keys: { publicKey: a.publicKey, privateKey: b.privateKey },
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    });
    expect(await refusal(csr.toString("pem"), { allowedCommonNames: ["agent-42"] })).toBe("bad_signature");
  });

  it("keeps a CN containing DN syntax as one opaque value", async () => {
    const cn = "agent,CN=admin+O=evil";
    const pem = await webCryptoCsr([{ CN: [cn] }]);
    const result = await checkCsr(pem, { allowedCommonNames: [cn] });
    expect(result.ok && result.csr.commonName).toBe(cn);
    expect(await refusal(pem, { allowedCommonNames: ["admin", "agent"] })).toBe("subject_not_allowed");
  });
});

describe("checkCsr: refusals", () => {
  it.each<[string, string, CsrError]>([
    ["RSA-1024", fx.RSA_1024_CSR, "unsupported_key"],
    ["DSA-2048", fx.DSA_2048_CSR, "unsupported_key"],
    ["Ed25519", fx.ED25519_CSR, "unsupported_key"],
    ["EC P-521", fx.EC_P521_CSR, "unsupported_key"],
    ["flipped signature byte", fx.BAD_SIGNATURE_CSR, "bad_signature"],
    ["SHA-1 signature", fx.EC_P256_SHA1_CSR, "bad_signature"],
    ["CN=other-name", fx.OTHER_NAME_CSR, "subject_not_allowed"],
    ["two CNs", fx.TWO_CNS_CSR, "subject_not_allowed"],
    ["no CN", fx.NO_CN_CSR, "subject_not_allowed"],
    ["300-character CN", fx.LONG_CN_CSR, "subject_too_long"],
    ["subject over 256 characters", fx.LONG_SUBJECT_CSR, "subject_too_long"],
  ])("%s → %s", async (_name, pem, error) => {
    expect(await refusal(pem)).toBe(error);
  });

  it("refuses an EC public key whose point is not on the curve", async () => {
    const bytes = pemToDer(fx.EC_P256_CSR);
    // SPKI subjectPublicKey: BIT STRING (03 42 00) holding an uncompressed point (04 || X || Y).
    const at = bytes.findIndex(
      (b, i) => b === 0x03 && bytes[i + 1] === 0x42 && bytes[i + 2] === 0x00 && bytes[i + 3] === 0x04,
    );
    expect(at).toBeGreaterThan(0);
    const yLast = at + 3 + 64;
    bytes[yLast] = (bytes[yLast] ?? 0) ^ 0x01;
    expect(await refusal(derToPem(bytes, "CERTIFICATE REQUEST"))).toBe("unsupported_key");
  });

  it("refuses an RSA key with an even public exponent", async () => {
    const bytes = pemToDer(fx.RSA_2048_CSR);
    // RSAPublicKey.publicExponent INTEGER 65537 (02 03 01 00 01) → 65536.
    const at = bytes.findIndex(
      (b, i) =>
        b === 0x02 && bytes[i + 1] === 0x03 && bytes[i + 2] === 0x01 && bytes[i + 3] === 0x00 && bytes[i + 4] === 0x01,
    );
    expect(at).toBeGreaterThan(0);
    bytes[at + 4] = 0x00;
    expect(await refusal(derToPem(bytes, "CERTIFICATE REQUEST"))).toBe("unsupported_key");
  });

  it("refuses every CN when the policy allows none", async () => {
    expect(await refusal(fx.EC_P256_CSR, { allowedCommonNames: [] })).toBe("subject_not_allowed");
  });

  it("matches CNs exactly (case and whitespace matter)", async () => {
    expect(await refusal(fx.EC_P256_CSR, { allowedCommonNames: [fx.FIXTURE_CN.toUpperCase()] })).toBe(
      "subject_not_allowed",
    );
    expect(await refusal(fx.EC_P256_CSR, { allowedCommonNames: [` ${fx.FIXTURE_CN}`] })).toBe("subject_not_allowed");
  });

  it("reports a 65-character CN as too long even when policy lists it", async () => {
    const cn = "a".repeat(65);
    expect(await refusal(await webCryptoCsr([{ CN: [cn] }]), { allowedCommonNames: [cn] })).toBe("subject_too_long");
    const ok = "a".repeat(64);
    expect(await refusal(await webCryptoCsr([{ CN: [ok] }]), { allowedCommonNames: [ok] })).toBe("accepted");
  });

  const der = pemToDer(fx.EC_P256_CSR);
  it.each<[string, string]>([
    ["empty string", ""],
    ["garbage", "hello world"],
    [
      "garbage inside PEM armour",
      "-----BEGIN CERTIFICATE REQUEST-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE REQUEST-----\n",
    ],
    ["invalid base64", "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n"],
    ["unterminated PEM", fx.EC_P256_CSR.split("-----END")[0] ?? ""],
    ["bare base64 DER without armour", toBase64(der)],
    ["a certificate instead of a CSR", derToPem(der, "CERTIFICATE")],
    ["two CSRs", fx.EC_P256_CSR + fx.EC_P384_CSR],
    ["text before the PEM", `Subject: x\n${fx.EC_P256_CSR}`],
    ["trailing bytes after the DER", derToPem(Uint8Array.from([...der, 0, 0]), "CERTIFICATE REQUEST")],
    ["truncated DER", derToPem(der.slice(0, der.length - 10), "CERTIFICATE REQUEST")],
    ["oversized input", `${fx.EC_P256_CSR}${" ".repeat(MAX_CSR_PEM_BYTES)}`],
  ])("%s → malformed", async (_name, pem) => {
    expect(await refusal(pem)).toBe("malformed");
  });

  it("never throws, even for non-string input", async () => {
    expect(await refusal(undefined as unknown as string)).toBe("malformed");
  });
});
