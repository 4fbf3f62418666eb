import type { Handler } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { ApiError } from "../../v1/errors";
import { requireAgent } from "../agent-auth";

/**
 * `GET /agent/v1/connect`: the agent's WebSocket (docs/agent-protocol.md §2).
 * The upgrade is checked first so that a plain GET never burns a proof; then
 * the certificate-bound proof is verified and the socket handed to the host's
 * HostChannel, which keeps it with the hibernation API.
 */
export const connectHandler: Handler<AppEnv> = async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "Expected a WebSocket upgrade");
  }
  const { host, certificate } = await requireAgent(c, "/agent/v1/connect");
  const headers = new Headers({
    Upgrade: "websocket",
    "x-fleetgate-host-id": host.id,
    "x-fleetgate-host-name": host.name,
    "x-fleetgate-cert-not-after": String(certificate.notAfter),
    "x-fleetgate-cert-id": certificate.id,
  });
  const ctx = await domain(c);
  const res = await ctx.hostChannels.connect(host.id, new Request("https://host-channel/connect", { headers }));
  // A fresh Response: the DO's has immutable headers and the request middleware adds X-Request-Id.
  return new Response(res.body, { status: res.status, webSocket: res.webSocket, headers: res.headers });
};
