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
