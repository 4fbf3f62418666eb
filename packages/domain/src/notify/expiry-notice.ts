import { and, asc, count, eq, gt, inArray, lt } from "drizzle-orm";
import { caKeys, certificates } from "../schema";
import type { DomainContext } from "../shared/context";
import { type NotifyOutcome, notifySafely } from "./notify.service";

/** A host or server certificate this close to its end has not been renewed (agents renew well before). */
export const CERT_NOTICE_MS = 3 * 86_400_000;
/** A CA certificate is announced this long before its end: replacing it takes planning. */
export const CA_NOTICE_MS = 60 * 86_400_000;
const LISTED = 50;

/**
 * The cron sweep behind the "certificate or CA expiring" email: active
 * client/server certificates ending within 3 days, active CA certificates
 * within 60 days. One email lists them all (at most 50 named), at most once
 * a day.
 */
export async function notifyExpiringCertificates(ctx: DomainContext): Promise<NotifyOutcome | "none" | "error"> {
  const now = ctx.now();
  const where = and(
    eq(certificates.status, "active"),
    inArray(certificates.kind, ["client", "server"]),
    gt(certificates.notAfter, now),
    lt(certificates.notAfter, now + CERT_NOTICE_MS),
  );
  const certs = await ctx.db
    .select({
      kind: certificates.kind,
      name: certificates.commonName,
      serial: certificates.serial,
      notAfter: certificates.notAfter,
    })
    .from(certificates)
    .where(where)
    .orderBy(asc(certificates.notAfter))
    .limit(LISTED)
    .all();
  const [counted] = await ctx.db.select({ n: count() }).from(certificates).where(where);
  const cas = await ctx.db
    .select({ id: caKeys.id, kind: caKeys.kind, notAfter: caKeys.notAfter })
    .from(caKeys)
    .where(and(eq(caKeys.active, true), lt(caKeys.notAfter, now + CA_NOTICE_MS)))
    .all();
  const listed = [
    ...cas.map((c) => ({
      kind: c.kind === "root" ? ("ca-root" as const) : ("ca-issuing" as const),
      name: `Fleetgate ${c.kind} CA`,
      serial: c.id,
      not_after: c.notAfter,
    })),
    ...certs.map((c) => ({
      kind: c.kind as "client" | "server",
      name: c.name,
      serial: c.serial,
      not_after: c.notAfter,
    })),
  ];
  if (listed.length === 0) return "none";
  const day = new Date(now).toISOString().slice(0, 10);
  return notifySafely(
    ctx,
    { type: "certificate_expiring", certificates: listed, total: cas.length + (counted?.n ?? 0) },
    { dedupe: `certs:${day}` },
  );
}
