import {
  buildCrl,
  type CertKind,
  checkCsr,
  generateKeyAndCertificate,
  type IssuedCert,
  issueCertificate,
  type RevocationReason,
} from "@fleetgate/pki";
import { and, desc, eq, gt, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { commitAudited } from "../audit/audit.service";
import { authenticators, certificates, crls } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { caChain } from "./ca.service";
import { endHostConnections } from "./certificate-liveness";

export type CertificateRow = typeof certificates.$inferSelect;

/** CRLs are valid a week; regenerated on every revocation, and on read (`currentCrl`) within a day of nextUpdate. */
const CRL_VALIDITY_MS = 7 * 86_400_000;
const CRL_REFRESH_BEFORE_MS = 86_400_000;

export const crlUrl = (ctx: DomainContext) => `${ctx.issuer}/api/v1/pki/crl.pem`;

export interface IssueRequest {
  identityId: string;
  commonName: string;
  kind: CertKind;
  hostId?: string | null;
  apiSessionId?: string | null;
  lifetimeSeconds: number;
  /** Names a CSR may ask for; anything else is refused (`subject_not_allowed`). */
  allowedNames: string[];
  /** Also register a `cert` authenticator for the identity (client certificates). */
  authenticator?: boolean;
}

/** Validates a CSR for an issue request without side effects (so a single-use token is only burnt for a good CSR). */
export async function validateCsr(csrPem: string, allowedNames: string[]) {
  const checked = await checkCsr(csrPem, { allowedCommonNames: allowedNames });
  if (!checked.ok) throw new DomainError("pki.csr_refused", { details: { reason: checked.error } });
  return checked.csr;
}

function certRow(req: IssueRequest, issued: IssuedCert, now: number): CertificateRow {
  return {
    id: newId(),
    serial: issued.serialHex,
    identityId: req.identityId,
    hostId: req.hostId ?? null,
    apiSessionId: req.apiSessionId ?? null,
    kind: req.kind,
    commonName: req.commonName,
    subject: issued.subject,
    fingerprintSha1: issued.fingerprintSha1,
    fingerprintSha256: issued.fingerprintSha256,
    certPem: issued.certPem,
    notBefore: issued.notBefore.getTime(),
    notAfter: issued.notAfter.getTime(),
    status: "active",
    revokedAt: null,
    revocationReason: null,
    createdAt: now,
  };
}

function authenticatorRow(row: CertificateRow, now: number) {
  return {
    id: newId(),
    identityId: row.identityId ?? "",
    method: "cert" as const,
    fingerprint: row.fingerprintSha1,
    certPem: row.certPem,
    certificateId: row.id,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Issues a certificate for a public key (from a checked CSR). The CA sets every
 * extension itself (pki/issue.ts). Returns the row and the statements that
 * persist it, so callers can commit it in one audited batch with their change.
 */
export async function prepareIssue(ctx: DomainContext, req: IssueRequest, publicKey: CryptoKey) {
  const chain = await caChain(ctx);
  const issued = await issueCertificate({
    issuer: chain.issuing,
    publicKey,
    commonName: req.commonName,
    identityId: req.identityId,
    trustDomain: ctx.pki.trustDomain,
    kind: req.kind,
    lifetimeSeconds: req.lifetimeSeconds,
    crlUrl: crlUrl(ctx),
  });
  const now = ctx.now();
  const row = certRow(req, issued, now);
  const statements: BatchItem<"sqlite">[] = [ctx.db.insert(certificates).values(row)];
  if (req.authenticator) statements.push(ctx.db.insert(authenticators).values(authenticatorRow(row, now)));
  return { row, statements, chain };
}

/** CSR → certificate, audited. */
export async function issueFromCsr(ctx: DomainContext, req: IssueRequest, csrPem: string) {
  const csr = await validateCsr(csrPem, req.allowedNames);
  const prepared = await prepareIssue(ctx, req, csr.publicKey);
  await commitAudited(ctx, prepared.statements, {
    action: "certificate.issue",
    targetType: "certificate",
    targetId: prepared.row.id,
    detail: { serial: prepared.row.serial, identity: req.identityId, kind: req.kind, key: csr.keyAlgorithm },
  });
  return prepared;
}

/** Legacy flow without a CSR: the server generates the key (returned once, never stored). */
export async function issueWithServerKey(ctx: DomainContext, req: IssueRequest) {
  const chain = await caChain(ctx);
  const issued = await generateKeyAndCertificate({
    issuer: chain.issuing,
    commonName: req.commonName,
    identityId: req.identityId,
    trustDomain: ctx.pki.trustDomain,
    kind: req.kind,
    lifetimeSeconds: req.lifetimeSeconds,
    crlUrl: crlUrl(ctx),
  });
  const now = ctx.now();
  const row = certRow(req, issued, now);
  const statements: BatchItem<"sqlite">[] = [ctx.db.insert(certificates).values(row)];
  if (req.authenticator) statements.push(ctx.db.insert(authenticators).values(authenticatorRow(row, now)));
  return { row, statements, chain, keyPem: issued.keyPem };
}

export async function getCertificate(ctx: DomainContext, id: string): Promise<CertificateRow> {
  const row = await ctx.db.select().from(certificates).where(eq(certificates.id, id)).get();
  if (!row) throw new DomainError("common.not_found", "Certificate not found");
  return row;
}

/** Effective status: `expired` is derived from notAfter, not stored. */
export const statusOf = (row: CertificateRow, now: number): "active" | "revoked" | "expired" =>
  row.status === "revoked" ? "revoked" : row.notAfter <= now ? "expired" : "active";

/**
 * The certificate presenting `sha256` (lowercase hex) if it may authenticate
 * right now: issued by us, not revoked, within its validity. Revocation and
 * expiry are therefore effective on the very next request.
 */
export async function activeCertificateBySha256(
  ctx: DomainContext,
  sha256: string,
): Promise<CertificateRow | undefined> {
  const row = await ctx.db.select().from(certificates).where(eq(certificates.fingerprintSha256, sha256)).get();
  if (!row) return undefined;
  const now = ctx.now();
  return statusOf(row, now) === "active" && row.notBefore <= now + 60_000 ? row : undefined;
}

/** Statements that revoke certificates and remove their authenticators (commit with a CRL refresh after). */
export function revocationStatements(ctx: DomainContext, ids: string[], reason: RevocationReason) {
  const now = ctx.now();
  return [
    ctx.db
      .update(certificates)
      .set({ status: "revoked", revokedAt: now, revocationReason: reason })
      .where(and(inArray(certificates.id, ids), eq(certificates.status, "active"))),
    ctx.db.delete(authenticators).where(inArray(authenticators.certificateId, ids)),
  ];
}

/** Revokes one certificate with a reason; the CRL is regenerated at once. */
export async function revokeCertificate(ctx: DomainContext, id: string, reason: RevocationReason = "unspecified") {
  const row = await getCertificate(ctx, id);
  if (row.status === "revoked") return row;
  await commitAudited(ctx, revocationStatements(ctx, [id], reason), {
    action: "certificate.revoke",
    targetType: "certificate",
    targetId: id,
    detail: { serial: row.serial, reason },
  });
  await regenerateCrl(ctx);
  await endHostConnections(ctx, row.hostId, [id], "certificate revoked");
  return { ...row, status: "revoked" as const };
}

/** Builds and stores a new CRL of every revoked, not-yet-expired certificate. */
export async function regenerateCrl(ctx: DomainContext): Promise<string> {
  const chain = await caChain(ctx);
  const now = ctx.now();
  const revoked = await ctx.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.status, "revoked"), gt(certificates.notAfter, now)))
    .all();
  const last = await ctx.db.select().from(crls).orderBy(desc(crls.number)).limit(1).get();
  const number = (last?.number ?? 0) + 1;
  const pem = await buildCrl({
    issuer: chain.issuing,
    revoked: revoked.map((r) => ({
      serialHex: r.serial,
      revokedAt: new Date(r.revokedAt ?? now),
      reason: (r.revocationReason ?? "unspecified") as RevocationReason,
    })),
    thisUpdate: new Date(now),
    nextUpdate: new Date(now + CRL_VALIDITY_MS),
    crlNumber: number,
  });
  await ctx.db
    .insert(crls)
    .values({ number, pem, thisUpdate: now, nextUpdate: now + CRL_VALIDITY_MS })
    .onConflictDoNothing()
    .run();
  return pem;
}

/** The current CRL; generated when none exists or the stored one is due. */
export async function currentCrl(ctx: DomainContext): Promise<string> {
  const last = await ctx.db.select().from(crls).orderBy(desc(crls.number)).limit(1).get();
  if (last && last.nextUpdate - ctx.now() > CRL_REFRESH_BEFORE_MS) return last.pem;
  return regenerateCrl(ctx);
}
