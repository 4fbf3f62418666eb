import { exports } from "cloudflare:workers";
import { keyPair, x509 } from "@fleetgate/pki/testing";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

const ALG = { name: "ECDSA", hash: "SHA-256" } as const;

/** A third-party CA made in the test (self-signed, with a subjectKeyIdentifier). */
export interface TestCa {
  cert: x509.X509Certificate;
  pem: string;
  keys: CryptoKeyPair;
}

export async function testCa(name = `Third Party CA ${crypto.randomUUID().slice(0, 8)}`): Promise<TestCa> {
  const keys = await keyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, pem: cert.toString("pem"), keys };
}

/** A client certificate `ca` issues (validity from `notBefore` for `hours`). */
export async function issueClientCert(ca: TestCa, cn: string, opts: { notBefore?: number; hours?: number } = {}) {
  const keys = await keyPair();
  const from = opts.notBefore ?? Date.now() - 60_000;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: crypto.randomUUID().replace(/-/g, "").slice(0, 16),
    subject: `CN=${cn}`,
    issuer: ca.cert.subject,
    notBefore: new Date(from),
    notAfter: new Date(from + (opts.hours ?? 24) * 3600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert, pem: cert.toString("pem") };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `Dec  7 19:39:00 2026 GMT`, as the edge reports certificate validity. */
const edgeTime = (d: Date) =>
  `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()} GMT`;

const hexOf = async (alg: "SHA-1" | "SHA-256", data: ArrayBuffer) =>
  [...new Uint8Array(await crypto.subtle.digest(alg, data))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** What Cloudflare's mTLS sets in `request.cf.tlsClientAuth` for `cert` (verified unless told otherwise). */
export async function tlsClientAuthOf(cert: x509.X509Certificate, verified = "SUCCESS") {
  const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
  return {
    certPresented: "1",
    certVerified: verified,
    certRevoked: "0",
    certFingerprintSHA1: await hexOf("SHA-1", cert.rawData),
    certFingerprintSHA256: await hexOf("SHA-256", cert.rawData),
    certIssuerSKI: (aki?.keyId ?? "").toUpperCase().replace(/(..)(?!$)/g, "$1:"),
    certSubjectDNRFC2253: cert.subject,
    certIssuerDNRFC2253: cert.issuer,
    certNotBefore: edgeTime(cert.notBefore),
    certNotAfter: edgeTime(cert.notAfter),
  };
}

/** A request to the Ziti face with `tls` as `request.cf.tlsClientAuth` (what only the edge can set). */
export function zitiMtls(path: string, tls: Record<string, string> | undefined, init: { json?: unknown } = {}) {
  const req = new Request(`http://127.0.0.1/edge/client/v1${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "cf-connecting-ip": `10.9.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`,
    },
    body: JSON.stringify(init.json ?? {}),
    cf: tls ? { tlsClientAuth: tls } : undefined,
  } as RequestInit);
  return exports.default.fetch(req);
}

export interface CaBody {
  id: string;
  name: string;
  fingerprint: string;
  isVerified: boolean;
  verificationToken: string | null;
  identityRoles: string[];
}

/** Registers `ca` through the native face; `verify` also proves possession. */
export async function registerCa(ca: TestCa, settings: Record<string, unknown> = {}, verify = true): Promise<CaBody> {
  const admin = await adminLogin();
  const name = `ca-${crypto.randomUUID().slice(0, 8)}`;
  const res = await call("/api/v1/ziti/cas", {
    method: "POST",
    headers: bearer(admin),
    json: { name, certPem: ca.pem, ...settings },
  });
  if (res.status !== 201) throw new Error(`register CA: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as CaBody;
  if (!verify) return body;
  const proof = await issueClientCert(ca, body.verificationToken ?? "");
  const ok = await call(`/api/v1/ziti/cas/${body.id}/verify`, {
    method: "POST",
    headers: bearer(admin),
    json: { certPem: proof.pem },
  });
  if (ok.status !== 200) throw new Error(`verify CA: ${ok.status} ${await ok.text()}`);
  return (await ok.json()) as CaBody;
}

export const zitiCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
