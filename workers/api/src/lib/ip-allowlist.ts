import { cachedSettings, ipInCidrs } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { domain } from "./domain-context";

/**
 * The settings `ip_whitelist` (linux-patch-manager.md §2), applied by every
 * face's authentication step, i.e. to protected routes only: login, SSO,
 * enrollment and health stay reachable, so a wrong list never locks an admin
 * out of the way back (docs/auth.md "IP allowlist"). The client address is
 * `CF-Connecting-IP`, which Cloudflare sets and clients cannot forge; an
 * empty list allows every address, an unknown address is refused.
 */
export async function clientIpAllowed(c: Context<AppEnv>): Promise<boolean> {
  const list = (await cachedSettings(await domain(c))).ip_whitelist;
  return list.length === 0 || ipInCidrs(c.get("clientIp"), list);
}
