import { isIPv4, isIPv6 } from "node:net";

/**
 * The addresses of a CIDR block, for the agent's own check and enumeration of a `discover`
 * frame (the control plane checked it too; the agent refuses anything larger than `max`
 * addresses on its own). IPv4 /0–/30 skip the network and broadcast addresses.
 */
export function cidrAddresses(cidr: string, max: number): string[] {
  const [addr = "", len, extra] = cidr.split("/");
  if (extra !== undefined) throw new Error("Invalid CIDR range");
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) throw new Error("Invalid CIDR range");
  const width = v4 ? 32 : 128;
  if (len !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(len)) throw new Error("Invalid CIDR range");
  const prefix = len === undefined ? width : Number(len);
  if (prefix > width) throw new Error("Invalid CIDR range");
  const size = 2n ** BigInt(width - prefix);
  if (size > BigInt(max)) throw new Error(`range larger than ${max} addresses`);
  const base = v4 ? v4ToInt(addr) : v6ToInt(addr);
  if (base % size !== 0n) throw new Error("Invalid CIDR range");
  const out: string[] = [];
  const skipEnds = v4 && prefix <= 30;
  for (let i = skipEnds ? 1n : 0n; i < (skipEnds ? size - 1n : size); i++) {
    out.push(v4 ? intToV4(base + i) : intToV6(base + i));
  }
  return out;
}

function v4ToInt(s: string): bigint {
  return s.split(".").reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function intToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
}

function v6ToInt(s: string): bigint {
  let text = s;
  if (text.includes(".")) {
    const i = text.lastIndexOf(":");
    const v4 = v4ToInt(text.slice(i + 1));
    text = `${text.slice(0, i + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function intToV6(n: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  // Compressed like the control plane prints them is not needed: any valid form compares equal there.
  return groups.join(":");
}
