import { z } from "zod";

/** Resolves a host name to one IP address; undefined when it does not resolve. */
export interface FqdnResolver {
  resolve(fqdn: string): Promise<string | undefined>;
}

/** Cloudflare's resolver; any DoH server with the JSON API (Google's, a local one) works. */
export const DEFAULT_DOH_RESOLVER = "https://cloudflare-dns.com/dns-query";

const DNS_A = 1;
const DNS_AAAA = 28;

/** The DNS JSON answer (the `application/dns-json` format of Cloudflare's and Google's DoH servers). */
const DnsJson = z.object({
  Status: z.number().int(),
  Answer: z.array(z.object({ type: z.number().int(), data: z.string() })).optional(),
});

const IpAddress = z.union([z.ipv4(), z.ipv6()]);

/**
 * DNS over HTTPS (RFC 8484 transport, JSON answers): A first, then AAAA. Workers have no
 * resolver API, and a name must resolve from the public internet for the host to be reachable
 * by name anyway. Any failure (refused, timeout, NXDOMAIN, malformed answer) means "does not resolve".
 */
export function dohResolver(endpoint: string, fetcher: typeof fetch = fetch, timeoutMs = 5000): FqdnResolver {
  async function query(fqdn: string, type: "A" | "AAAA"): Promise<string | undefined> {
    const url = new URL(endpoint);
    url.searchParams.set("name", fqdn);
    url.searchParams.set("type", type);
    const res = await fetcher(url, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const parsed = DnsJson.safeParse(await res.json());
    // RCODE 0 = NOERROR (RFC 1035 §4.1.1); a CNAME chain precedes the address records.
    if (!parsed.success || parsed.data.Status !== 0) return undefined;
    const wanted = type === "A" ? DNS_A : DNS_AAAA;
    const record = parsed.data.Answer?.find((a) => a.type === wanted && IpAddress.safeParse(a.data).success);
    return record?.data;
  }
  return {
    async resolve(fqdn) {
      try {
        return (await query(fqdn, "A")) ?? (await query(fqdn, "AAAA"));
      } catch {
        return undefined;
      }
    },
  };
}
