import { parseIp } from "../shared/cidr";

/**
 * Outbound fetches to identity providers (OIDC discovery, JWKS, token
 * endpoints): https only, no redirects, a timeout and a size cap. Targets that
 * are IP literals in private, loopback, link-local, CGNAT or unspecified
 * ranges, and `localhost` names, are refused unless the deployment opts in
 * for local development (`ALLOW_LOOPBACK_IDP`), where plain http to a
 * loopback address is also allowed. DNS names are not resolved here (Workers
 * cannot); on Cloudflare's network a public name cannot reach a private range.
 */
export interface TargetPolicy {
  /** Development and tests: http(s) to 127.0.0.0/8, ::1 and localhost. */
  allowLoopback: boolean;
}

export const FETCH_TIMEOUT_MS = 5000;
export const MAX_DOCUMENT_BYTES = 256 * 1024;

export class FetchProblem extends Error {}

/** RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291 special ranges (IPv4 as mapped IPv6, see cidr.ts). */
const BLOCKED: [bigint, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
].map(([a, n]) => [(parseIp(a as string) ?? 0n) as bigint, 96 + (n as number)] as [bigint, number]);
const BLOCKED_V6: [bigint, number][] = [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
].map(([a, n]) => [(parseIp(a as string) ?? 0n) as bigint, n as number] as [bigint, number]);

function inBlock(ip: bigint, [base, bits]: [bigint, number]): boolean {
  const shift = BigInt(128 - bits);
  return ip >> shift === base >> shift;
}

const isLoopbackName = (h: string) => h === "localhost" || h.endsWith(".localhost");

/** Loopback by name or literal (127.0.0.0/8, ::1). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopbackName(h)) return true;
  const ip = parseIp(h);
  if (ip === undefined) return false;
  return inBlock(ip, BLOCKED[3] as [bigint, number]) || inBlock(ip, BLOCKED_V6[1] as [bigint, number]);
}

/** Why `url` may not be fetched under `policy`, or undefined when it may. */
export function refuseTarget(url: URL, policy: TargetPolicy): string | undefined {
  if (url.username || url.password) return "URL must not carry credentials";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const loopback = isLoopbackHost(host);
  if (loopback && policy.allowLoopback) {
    return url.protocol === "https:" || url.protocol === "http:" ? undefined : "URL must use https";
  }
  if (url.protocol !== "https:") return "URL must use https";
  if (loopback) return "loopback targets are not allowed";
  if (host.endsWith(".local") || host.endsWith(".internal")) return "private names are not allowed";
  const ip = parseIp(host);
  if (ip !== undefined && [...BLOCKED, ...BLOCKED_V6].some((b) => inBlock(ip, b)))
    return "private, link-local or reserved addresses are not allowed";
  return undefined;
}

async function readCapped(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await res.body?.cancel();
    throw new FetchProblem("document too large");
  }
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new FetchProblem("document too large");
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * Fetches JSON from an identity provider. Redirects are refused (a 3xx is an
 * error), the body is capped, and anything but 200 + JSON is a FetchProblem
 * whose message names the URL and status, never a response body.
 */
export async function fetchIdpJson(
  url: string,
  policy: TargetPolicy,
  init: { method?: "GET" | "POST"; form?: URLSearchParams; okStatuses?: number[] } = {},
): Promise<{ status: number; body: unknown }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new FetchProblem("not a URL");
  }
  const refused = refuseTarget(target, policy);
  if (refused) throw new FetchProblem(`${target.origin}: ${refused}`);
  let res: Response;
  try {
    res = await fetch(target.href, {
      method: init.method ?? "GET",
      headers: init.form
        ? { accept: "application/json", "content-type": "application/x-www-form-urlencoded" }
        : { accept: "application/json" },
      body: init.form?.toString(),
      redirect: "manual",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (err) {
    throw new FetchProblem(`${init.method ?? "GET"} ${target.href} failed: ${String(err)}`);
  }
  const ok = init.okStatuses ?? [200];
  if (!ok.includes(res.status)) {
    await res.body?.cancel();
    throw new FetchProblem(`${init.method ?? "GET"} ${target.href} answered ${res.status}`);
  }
  const text = await readCapped(res, MAX_DOCUMENT_BYTES);
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new FetchProblem(`${init.method ?? "GET"} ${target.href} did not return JSON`);
  }
}
