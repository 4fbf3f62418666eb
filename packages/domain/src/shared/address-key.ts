import { parseIp } from "./cidr";

const V4_MAPPED_PREFIX = 0xffffn;

/**
 * The unit an address-based limit counts: an IPv4 address as is, an IPv6
 * address as its /64 network. One IPv6 subscriber is usually given a whole
 * /64 (RFC 6177, RFC 7421), so keying on the full address would give each
 * attacker 2^64 fresh buckets. Unparseable input is keyed as given.
 */
export function addressKey(ip: string): string {
  const n = parseIp(ip);
  if (n === undefined) return ip;
  if (n >> 32n === V4_MAPPED_PREFIX) {
    const v4 = Number(n & 0xffffffffn);
    return [24, 16, 8, 0].map((s) => (v4 >>> s) & 255).join(".");
  }
  const net = n >> 64n;
  const groups = [48n, 32n, 16n, 0n].map((s) => ((net >> s) & 0xffffn).toString(16));
  return `${groups.join(":")}::/64`;
}
