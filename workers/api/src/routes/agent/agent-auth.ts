import { authenticateAgentProof, type CertificateRow, type HostRow, log } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { domain, publicBase } from "../../lib/domain-context";
import { ApiError } from "../v1/errors";

/**
 * Authenticates an agent request by its certificate-bound proof
 * (`Authorization: Bearer <proof>`, `aud` = the public URL of this endpoint).
 * Refusals say only "invalid proof" to the client; the reason goes to the log.
 */
export async function requireAgent(
  c: Context<AppEnv>,
  path: string,
  purpose: "connect" | "renew" = "connect",
): Promise<{ host: HostRow; certificate: CertificateRow }> {
  const header = c.req.header("authorization") ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw new ApiError(401, "unauthorized", "Missing authorization token");
  const ctx = await domain(c);
  const res = await authenticateAgentProof(ctx, token, `${publicBase(c)}${path}`, purpose);
  if (!res.ok) {
    log("warn", "agent proof refused", { requestId: c.get("requestId"), reason: res.reason, path });
    throw new ApiError(401, "unauthorized", "Invalid proof");
  }
  ctx.actor = { id: res.host.identityId ?? res.host.id, name: res.host.name, credentialId: res.certificate.id };
  return res;
}
