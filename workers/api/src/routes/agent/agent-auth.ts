import { authenticate, type CertificateRow, type HostRow, log } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { domain, publicBase, signIn } from "../../lib/domain-context";
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
  const res = await authenticate(ctx, { kind: "agent_proof", token, audience: `${publicBase(c)}${path}`, purpose });
  if (!res.ok || !res.agent) {
    const reason = res.ok ? "not_a_host" : res.reason;
    log("warn", "agent proof refused", { requestId: c.get("requestId"), reason, path });
    throw new ApiError(401, "unauthorized", "Invalid proof");
  }
  signIn(c, res);
  return res.agent;
}
