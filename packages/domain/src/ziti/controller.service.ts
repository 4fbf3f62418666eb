import { pemToDer, splitPemChain } from "@fleetgate/pki";
import { caChain } from "../pki/ca.service";
import type { DomainContext } from "../shared/context";

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A stable id for this deployment (its public base URL hashed), used as the controller id and `ziti-instance-id`. */
export async function zitiInstanceId(issuer: string): Promise<string> {
  const h = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`fleetgate-controller:${issuer}`)));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * This deployment as an OpenZiti controller: the issuing CA certificate that
 * signs identities (the trust anchor SDKs pin after enrollment) and its SHA-1
 * fingerprint, as the controller reports its own certificate.
 */
export async function controllerInfo(ctx: DomainContext) {
  const chain = await caChain(ctx);
  const certPem = splitPemChain(chain.issuing.certPem)[0] ?? chain.issuing.certPem;
  const der = pemToDer(certPem);
  const fingerprint = hex(await crypto.subtle.digest("SHA-1", der));
  return { id: await zitiInstanceId(ctx.issuer), certPem, fingerprint };
}
