// Admission control for PKCS#10 certificate signing requests (RFC 2986). A CSR only
// proves possession of a key and proposes a name: the CA takes the public key (once it
// passes these checks) and the CN (once policy allows it), and nothing else.
import { toArrayBuffer } from "./bytes";
import { derElementLength } from "./der";
import { hasSaneRsaExponent, modulusLengthOf, namedCurveOf } from "./keys";
import { parsePemBlocks } from "./pem";
import { x509 } from "./x509";

/** Why a CSR was refused. */
export type CsrError = "malformed" | "bad_signature" | "unsupported_key" | "subject_not_allowed" | "subject_too_long";

/** Key types the CA certifies. */
export type CsrKeyAlgorithm = "EC P-256" | "EC P-384" | `RSA-${number}`;

/** A CSR that passed checkCsr. */
export interface ParsedCsr {
  /** The requester's public key, imported for verification (extractable, so issuance can embed it). */
  publicKey: CryptoKey;
  /** DER SubjectPublicKeyInfo as found in the CSR. */
  spki: ArrayBuffer;
  /** The single CN of the requested subject. */
  commonName: string;
  /** RFC 4514 string of the requested subject (informational; never copied into certificates). */
  subject: string;
  keyAlgorithm: CsrKeyAlgorithm;
}

/** CSR admission policy. */
export interface CsrPolicy {
  /** Exact CN values this requester may obtain. */
  allowedCommonNames: string[];
}

/** Result of checkCsr. */
export type CsrCheckResult = { ok: true; csr: ParsedCsr } | { ok: false; error: CsrError };

/** Largest CSR PEM accepted, in characters (= bytes: valid PEM is ASCII); real ones are under 2 KiB even with RSA-4096. */
export const MAX_CSR_PEM_BYTES = 16 * 1024;
/** RFC 5280 Appendix A ub-common-name. */
export const MAX_COMMON_NAME_LENGTH = 64;
/** Our own bound on the whole requested subject DN string. */
export const MAX_SUBJECT_LENGTH = 256;
/** Smallest RSA modulus accepted (NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;

const ACCEPTED_HASHES = new Set(["SHA-256", "SHA-384", "SHA-512"]);

/** The shape of the WebCrypto algorithm objects @peculiar/x509 derives from ASN.1. */
interface WebAlgorithm {
  name: string;
  namedCurve?: string;
  hash?: { name?: string };
}

type Refusal = { ok: false; error: CsrError };
const refuse = (error: CsrError): Refusal => ({ ok: false, error });

/**
 * Parses and vets a PEM CSR: size and syntax, key type, proof-of-possession signature
 * (RFC 2986 §3) and requested subject against `policy`. Never throws: every refusal is a
 * typed `{ ok: false, error }`.
 */
export async function checkCsr(pem: string, policy: CsrPolicy): Promise<CsrCheckResult> {
  // Bound the work done on untrusted input before parsing anything.
  if (typeof pem !== "string" || pem.length > MAX_CSR_PEM_BYTES) return refuse("malformed");
  const csr = parseCsr(pem);
  if (!csr) return refuse("malformed");

  const key = await importCsrKey(csr);
  if ("ok" in key) return key;

  const signature = await checkSignature(csr, key.publicKey);
  if (signature) return signature;

  const subject = checkSubject(csr, policy);
  if ("ok" in subject) return subject;

  return {
    ok: true,
    csr: { ...key, spki: csr.publicKey.rawData, commonName: subject.commonName, subject: subject.subject },
  };
}

/** Exactly one CERTIFICATE REQUEST block, nothing but whitespace around it, one DER element. */
function parseCsr(pem: string): x509.Pkcs10CertificateRequest | null {
  const blocks = parsePemBlocks(pem, { strict: true });
  const block = blocks?.length === 1 ? blocks[0] : undefined;
  // "NEW CERTIFICATE REQUEST" is the legacy label some tools still emit (RFC 7468 §7).
  if (!block || (block.label !== "CERTIFICATE REQUEST" && block.label !== "NEW CERTIFICATE REQUEST")) return null;
  // Trailing bytes after the CertificationRequest SEQUENCE are not a CSR.
  if (block.der[0] !== 0x30 || derElementLength(block.der) !== block.der.length) return null;
  try {
    const csr = new x509.Pkcs10CertificateRequest(toArrayBuffer(block.der));
    // Touch the lazily parsed fields we rely on so structural errors surface here, as
    // "malformed". Attributes (requested extensions) are never read: the CA ignores them,
    // so an exotic one (say an otherName SAN) must not get a CSR refused.
    void csr.subjectName;
    void csr.signature;
    return csr;
  } catch {
    return null;
  }
}

/**
 * Accepts EC P-256, EC P-384 (id-ecPublicKey with a named curve, RFC 5480 §2.1.1) and
 * rsaEncryption keys of at least MIN_RSA_BITS. Everything else (DSA, Ed25519/Ed448, P-521,
 * explicit curve parameters, RSA-PSS-only keys, short RSA, even or tiny RSA exponents) is
 * refused. The key is imported into WebCrypto, which also checks that an EC point lies on
 * the curve.
 */
async function importCsrKey(
  csr: x509.Pkcs10CertificateRequest,
): Promise<Refusal | { publicKey: CryptoKey; keyAlgorithm: CsrKeyAlgorithm }> {
  let algorithm: WebAlgorithm;
  try {
    algorithm = csr.publicKey.algorithm as WebAlgorithm;
  } catch {
    return refuse("unsupported_key");
  }
  try {
    if (algorithm.name === "ECDSA" && (algorithm.namedCurve === "P-256" || algorithm.namedCurve === "P-384")) {
      const publicKey = await crypto.subtle.importKey(
        "spki",
        csr.publicKey.rawData,
        { name: "ECDSA", namedCurve: algorithm.namedCurve },
        true,
        ["verify"],
      );
      return namedCurveOf(publicKey) === "P-256"
        ? { publicKey, keyAlgorithm: "EC P-256" }
        : { publicKey, keyAlgorithm: "EC P-384" };
    }
    // x509 maps rsaEncryption (1.2.840.113549.1.1.1) to a hash-less RSASSA-PKCS1-v1_5;
    // id-RSASSA-PSS keys map to "RSA-PSS" and are refused.
    if (algorithm.name === "RSASSA-PKCS1-v1_5" && algorithm.hash === undefined) {
      const publicKey = await crypto.subtle.importKey(
        "spki",
        csr.publicKey.rawData,
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        true,
        ["verify"],
      );
      // WebCrypto reports the exact modulus bit length (x509's estimate rounds up to bytes).
      const bits = modulusLengthOf(publicKey) ?? 0;
      if (bits >= MIN_RSA_BITS && hasSaneRsaExponent(publicKey)) return { publicKey, keyAlgorithm: `RSA-${bits}` };
    }
  } catch {
    // Unparseable key material (off-curve point, bad modulus): not a key we can certify.
  }
  return refuse("unsupported_key");
}

/**
 * RFC 2986 §3-4: the requester signs CertificationRequestInfo with the private key of
 * the SPKI it contains. The signature algorithm must match the key type and use SHA-2
 * (SHA-1 proofs are refused); the check runs over the original DER bytes.
 */
async function checkSignature(csr: x509.Pkcs10CertificateRequest, publicKey: CryptoKey): Promise<Refusal | null> {
  try {
    const algorithm = csr.signatureAlgorithm as WebAlgorithm;
    const hash = algorithm.hash?.name;
    const keyName = publicKey.algorithm.name;
    const expected = keyName === "ECDSA" ? ["ECDSA"] : ["RSASSA-PKCS1-v1_5", "RSA-PSS"];
    if (!expected.includes(algorithm.name) || hash === undefined || !ACCEPTED_HASHES.has(hash)) {
      return refuse("bad_signature");
    }
    return (await csr.verify()) ? null : refuse("bad_signature");
  } catch {
    return refuse("bad_signature");
  }
}

/**
 * The requested subject must carry exactly one CN, within RFC 5280's ub-common-name and
 * our MAX_SUBJECT_LENGTH, and that CN must be one the policy allows for this requester.
 */
function checkSubject(
  csr: x509.Pkcs10CertificateRequest,
  policy: CsrPolicy,
): Refusal | { commonName: string; subject: string } {
  let subject: string;
  let commonNames: string[];
  try {
    subject = csr.subject;
    commonNames = csr.subjectName.getField("CN");
  } catch {
    return refuse("malformed");
  }
  if (subject.length > MAX_SUBJECT_LENGTH || commonNames.some((cn) => [...cn].length > MAX_COMMON_NAME_LENGTH)) {
    return refuse("subject_too_long");
  }
  const [commonName] = commonNames;
  if (commonNames.length !== 1 || commonName === undefined || !policy.allowedCommonNames.includes(commonName)) {
    return refuse("subject_not_allowed");
  }
  return { commonName, subject };
}
