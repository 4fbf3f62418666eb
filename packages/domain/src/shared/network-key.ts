import { addressKey } from "./address-key";
import { parseIp } from "./cidr";

/**
 * The source network a per-network cap counts: an IPv4 address as its /24, an
 * IPv6 address as its /64 (see addressKey). Unparseable input is keyed as given.
 */
export function networkKey(ip: string): string {
  const key = addressKey(ip);
  if (parseIp(ip) === undefined || key.includes(":")) return key;
  return `${key.split(".").slice(0, 3).join(".")}.0/24`;
}
