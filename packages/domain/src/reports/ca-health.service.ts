import { crlInfo } from "@fleetgate/pki";
import { log } from "../log";
import { currentCrl } from "../pki/crl.service";
import type { DomainContext } from "../shared/context";

export type HealthLevel = "healthy" | "warning" | "critical";

/** `GET /ca/health` (docs/reports.md "CA health"). */
export interface CaHealth {
  overall: HealthLevel;
  web_tls: {
    cn: string;
    sans: string[];
    expiry: string | null;
    days_until_expiry: number | null;
    is_fqdn: boolean;
    error: string | null;
  };
  crl: {
    status: "valid" | "expiring" | "expired" | "missing" | "invalid";
    revoked_count: number;
    next_update: string | null;
    error: string | null;
  };
}

/** A CRL due within this time is `expiring` (warning); past its nextUpdate it is `expired` (critical). */
export const CRL_WARNING_MS = 24 * 3600_000;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** A DNS name with at least two labels (not an IP literal, not `localhost`). */
export function isFqdn(host: string): boolean {
  if (!host || IPV4.test(host) || host.includes(":")) return false;
  const labels = host.replace(/\.$/, "").split(".");
  return labels.length >= 2 && labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l));
}

/**
 * The CA's health as the dashboard reads it. `crl`: the CRL clients are served
 * (parsed: entries, nextUpdate). `web_tls`: on Cloudflare the edge
 * terminates TLS with a certificate Cloudflare issues and renews; a Worker
 * cannot read it, so `cn`/`sans` are the host of the public URL (PUBLIC_URL, else
 * the request's origin) and `expiry`/`days_until_expiry` are null (documented). `overall`
 * is the worst of: CRL expired, missing or invalid → critical; CRL expiring
 * within 24 h or a public host that is not an FQDN → warning.
 */
export async function caHealth(ctx: DomainContext): Promise<CaHealth> {
  const now = ctx.now();
  let pem: string | undefined;
  let crl: CaHealth["crl"];
  try {
    // The CRL clients are served (GET /pki/crl.pem): refreshed when due, created when none exists.
    pem = await currentCrl(ctx);
  } catch (err) {
    log("error", "CRL unavailable", {
      requestId: ctx.requestId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
  if (!pem) {
    crl = { status: "missing", revoked_count: 0, next_update: null, error: "The CA could not publish a CRL" };
  } else {
    try {
      const info = crlInfo(pem);
      const next = info.nextUpdate?.getTime();
      if (next === undefined) throw new Error("no nextUpdate");
      const status = next <= now ? "expired" : next - now <= CRL_WARNING_MS ? "expiring" : "valid";
      crl = {
        status,
        revoked_count: info.revokedCount,
        next_update: new Date(next).toISOString(),
        error: status === "expired" ? "The CRL is past its nextUpdate" : null,
      };
    } catch {
      crl = { status: "invalid", revoked_count: 0, next_update: null, error: "The stored CRL cannot be parsed" };
    }
  }
  let host = "";
  try {
    host = new URL(ctx.issuer).hostname.toLowerCase();
  } catch {
    host = "";
  }
  const fqdn = isFqdn(host);
  const webTls: CaHealth["web_tls"] = {
    cn: host,
    sans: host ? [host] : [],
    expiry: null,
    days_until_expiry: null,
    is_fqdn: fqdn,
    error: null,
  };
  const overall: HealthLevel =
    crl.status === "expired" || crl.status === "missing" || crl.status === "invalid"
      ? "critical"
      : crl.status === "expiring" || !fqdn
        ? "warning"
        : "healthy";
  return { overall, web_tls: webTls, crl };
}
