import { keyPair, webCryptoCsr, x509 } from "@fleetgate/pki/testing";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

export { keyPair, webCryptoCsr, x509 };

export interface CreatedEnrollment {
  id: string;
  identity_id: string;
  method: string;
  jwt: string;
  expires_at: string;
}

/** Admin creates an enrollment (host/ott unless told otherwise). */
export async function createEnrollment(
  name = `host-${crypto.randomUUID().slice(0, 8)}`,
  kind: "host" | "user" | "service" = "host",
  method: "ott" | "updb" = "ott",
  extra: Record<string, unknown> = {},
): Promise<CreatedEnrollment & { name: string }> {
  const admin = await adminLogin();
  const res = await call("/api/v1/enrollments", {
    method: "POST",
    headers: bearer(admin),
    json: { name, kind, method, ...extra },
  });
  if (res.status !== 201) throw new Error(`enrollment: ${res.status} ${await res.text()}`);
  return { ...((await res.json()) as CreatedEnrollment), name };
}

export const jtiOf = (jwt: string) =>
  (JSON.parse(atob((jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as { jti: string }).jti;

/** Enrolls with a fresh EC P-256 key via POST /edge/client/v1/enroll/ott; returns the response and the key pair. */
export async function enrollOtt(e: { jwt: string; identity_id: string }, cn = e.identity_id) {
  const keys = await keyPair();
  const csr = await webCryptoCsr(`CN=${cn}`, keys);
  const res = await call("/edge/client/v1/enroll/ott", { method: "POST", json: { token: e.jwt, clientCsr: csr } });
  return { res, keys, csr };
}

/** Enrolls a fresh host and returns its certificate PEM and key pair. */
export async function enrolledHost() {
  const e = await createEnrollment();
  const { res, keys } = await enrollOtt(e);
  const body = (await res.json()) as { data: { cert: string } };
  const certPem = body.data.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? "";
  return { ...e, certPem, keys };
}

/** SHA-256 of a certificate's DER: hex (our fingerprint) and base64url (`x5t#S256`). */
export async function thumbprints(certPem: string) {
  const der = new x509.X509Certificate(certPem).rawData;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  const b64url = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return { hex, b64url };
}

/** A certificate-bound agent proof (docs/agent-protocol.md). */
export async function agentProof(
  host: { certPem: string; keys: CryptoKeyPair },
  aud: string,
  over: { lifetime?: number; jti?: string; iatOffset?: number } = {},
): Promise<string> {
  const { SignJWT } = await import("jose");
  const { b64url } = await thumbprints(host.certPem);
  const iat = Math.floor(Date.now() / 1000) + (over.iatOffset ?? 0);
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", typ: "fleetgate-agent-proof+jwt", "x5t#S256": b64url })
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (over.lifetime ?? 60))
    .setJti(over.jti ?? crypto.randomUUID())
    .sign(host.keys.privateKey);
}
