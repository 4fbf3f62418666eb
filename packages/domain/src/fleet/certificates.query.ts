import type { CertificateFilters } from "@fleetgate/contract";
import { and, desc, eq, gte, isNotNull, lt, or, type SQL, sql } from "drizzle-orm";
import { certificates } from "../schema";
import type { DomainContext } from "../shared/context";
import { hostVisible, type Visibility } from "./visibility";

/** A certificate as the list and export show it (linux-patch-manager.md §4 Certificates). */
export interface CertificateListRow {
  id: string;
  hostId: string | null;
  serialNumber: string;
  commonName: string;
  status: "active" | "revoked" | "expired";
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revocationReason: string | null;
  fingerprintSha256: string;
}

function certWhere(ctx: DomainContext, f: CertificateFilters, v: Visibility): SQL[] {
  const where: SQL[] = [];
  if (v.kind !== "all") {
    // Non-admins see the certificates of hosts they see; identity and session certificates are admin-only.
    where.push(isNotNull(certificates.hostId));
    const visible = hostVisible(v, sql`${certificates.hostId}`);
    if (visible) where.push(visible);
  }
  if (f.host_id) where.push(eq(certificates.hostId, f.host_id));
  const now = ctx.now();
  if (f.status === "revoked") where.push(eq(certificates.status, "revoked"));
  if (f.status === "active") where.push(and(eq(certificates.status, "active"), gte(certificates.notAfter, now)) as SQL);
  if (f.status === "expired") where.push(and(eq(certificates.status, "active"), lt(certificates.notAfter, now)) as SQL);
  return where;
}

const toRow = (ctx: DomainContext, r: typeof certificates.$inferSelect): CertificateListRow => ({
  id: r.id,
  hostId: r.hostId,
  serialNumber: r.serial,
  commonName: r.commonName,
  status: r.status === "revoked" ? "revoked" : r.notAfter < ctx.now() ? "expired" : "active",
  issuedAt: r.createdAt,
  expiresAt: r.notAfter,
  revokedAt: r.revokedAt,
  revocationReason: r.revocationReason,
  fingerprintSha256: r.fingerprintSha256,
});

/** One page (limit/offset) of the certificates matching the list filters, issued_at desc: the list endpoint. */
export async function listCertificatesPage(
  ctx: DomainContext,
  f: CertificateFilters & { limit: number; offset: number },
  v: Visibility,
): Promise<CertificateListRow[]> {
  const rows = await ctx.db
    .select()
    .from(certificates)
    .where(and(...certWhere(ctx, f, v)))
    .orderBy(desc(certificates.createdAt), desc(certificates.id))
    .limit(f.limit)
    .offset(f.offset)
    .all();
  return rows.map((r) => toRow(ctx, r));
}

/**
 * Certificates matching the list filters, issued_at desc, `pageSize` per D1
 * query (keyset on created_at, id): the certificates export.
 */
export async function* iterateCertificates(
  ctx: DomainContext,
  f: CertificateFilters,
  v: Visibility,
  pageSize = 1000,
): AsyncGenerator<CertificateListRow[]> {
  const base = certWhere(ctx, f, v);
  let cursor: { createdAt: number; id: string } | undefined;
  for (;;) {
    const where = [...base];
    if (cursor) {
      where.push(
        or(
          lt(certificates.createdAt, cursor.createdAt),
          and(eq(certificates.createdAt, cursor.createdAt), lt(certificates.id, cursor.id)),
        ) as SQL,
      );
    }
    const rows = await ctx.db
      .select()
      .from(certificates)
      .where(and(...where))
      .orderBy(desc(certificates.createdAt), desc(certificates.id))
      .limit(pageSize)
      .all();
    if (rows.length === 0) return;
    yield rows.map((r) => toRow(ctx, r));
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}
