import { DEFAULT_DOH_RESOLVER, dohResolver, type FqdnResolver } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";

/** The DNS-over-HTTPS resolver of this deployment: DOH_RESOLVER_URL, default Cloudflare's. */
export function fqdnResolver(c: Context<AppEnv>): FqdnResolver {
  return dohResolver(c.env.DOH_RESOLVER_URL || DEFAULT_DOH_RESOLVER);
}
