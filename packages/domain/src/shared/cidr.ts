/**
 * IPv4/IPv6 addresses and CIDR blocks (RFC 4632, RFC 4291 §2.2/§2.3) as
 * 128-bit integers; IPv4 is mapped into ::ffff:0:0/96 (RFC 4291 §2.5.5.2) so
 * one comparison covers both families.
 */

const V4_MAPPED = 0xffffn << 32n;

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
  let tail: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tail = parseV4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail !== undefined) n = (n & ~0xffffffffn) | tail;
  return n;
}

/** An address as a 128-bit integer (IPv4 mapped), or undefined when malformed. */
export function parseIp(s: string): bigint | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return V4_MAPPED | v4;
  return s.includes(":") ? parseV6(s) : undefined;
}

export interface Cidr {
  base: bigint;
  bits: number;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (= /32 or /128). Host bits must be zero. */
export function parseCidr(s: string): Cidr | undefined {
  const [addr = "", len, extra] = s.split("/");
  if (extra !== undefined) return undefined;
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  const v4 = parseV4(addr) !== undefined;
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (len !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(len)) return undefined;
    prefix = Number(len);
    if (prefix > max) return undefined;
  }
  const bits = v4 ? prefix + 96 : prefix;
  const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  if ((ip & mask) !== ip) return undefined;
  return { base: ip, bits };
}

/** True when `ip` lies in any of `cidrs` (strings that do not parse match nothing). */
export function ipInCidrs(ip: string, cidrs: readonly string[]): boolean {
  const addr = parseIp(ip);
  if (addr === undefined) return false;
  for (const c of cidrs) {
    const block = parseCidr(c);
    if (!block) continue;
    const shift = BigInt(128 - block.bits);
    if (block.bits === 0 || addr >> shift === block.base >> shift) return true;
  }
  return false;
}
