import type { DomainContext } from "../shared/context";
import { routersFor } from "./policy";
import { routerOnline } from "./service-access.service";
import { identitySubject, loadZitiModel } from "./ziti-model.query";

/**
 * What the control plane can truthfully say about an identity's edge-router
 * connection. Fleetgate does not carry the data plane, so it never sees an
 * SDK ↔ router connection: an identity with at least one online router it may
 * use (edge-router policies) is `unknown` (it may be connected), one without
 * is `offline` (there is nothing it could be connected to). Never `online`,
 * so `hasEdgeRouterConnection` is always false.
 */
export type EdgeRouterConnectionStatus = "offline" | "unknown";

export async function edgeRouterConnectionStatus(
  ctx: DomainContext,
  identityId: string,
): Promise<EdgeRouterConnectionStatus> {
  const [model, subject] = await Promise.all([loadZitiModel(ctx), identitySubject(ctx, identityId)]);
  const now = ctx.now();
  const reachable = routersFor(subject, model.routers, model.edgeRouterPolicies).some((r) => routerOnline(r, now));
  return reachable ? "unknown" : "offline";
}
