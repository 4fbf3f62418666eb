import {
  type CaChain,
  type CertKind,
  checkCsr,
  generateKeyAndCertificate,
  type IssuedCert,
  issueCertificate,
  type RevocationReason,
} from "@fleetgate/pki";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { commitAudited } from "../audit/audit.service";
import { apiSessions, authenticators, certificates } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { caChain } from "./ca.service";
import { endHostConnections } from "./certificate-liveness";
import { crlStaleStatement, issuerIdOf } from "./crl.service";

export type CertificateRow = typeof certificates.$inferSelect;

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

function certRow(
  req: IssueRequest,
  issued: IssuedCert,
  now: number,
  issuerId: string,
  publicKeyJwk: string | null,
): CertificateRow {
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
    issuerId,
    publicKeyJwk,
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
 * The row of a just-issued certificate and the statements that persist it (and its authenticator,
 * when asked). `publicKey` (the CSR's, which the certificate carries) is kept as a JWK beside the
 * certificate: an agent proof's check imports it instead of parsing the certificate.
 */
async function issuedRecord(
  ctx: DomainContext,
  req: IssueRequest,
  issued: IssuedCert,
  chain: CaChain,
  guard: SQL | undefined,
  publicKey: CryptoKey | undefined,
) {
  const now = ctx.now();
  const jwk = publicKey ? JSON.stringify(await crypto.subtle.exportKey("jwk", publicKey)) : null;
  const row = certRow(req, issued, now, await issuerIdOf(chain), jwk);
  const statements: BatchItem<"sqlite">[] = [insertCertificate(ctx, row, guard)];
  if (req.authenticator) statements.push(ctx.db.insert(authenticators).values(authenticatorRow(row, now)));
  return { row, statements };
}

/**
 * Issues a certificate for a public key (from a checked CSR). The CA sets every
 * extension itself (pki/issue.ts). Returns the row and the statements that
 * persist it, so callers can commit it in one audited batch with their change.
 */
export async function prepareIssue(ctx: DomainContext, req: IssueRequest, publicKey: CryptoKey, guard?: SQL) {
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
  return { ...(await issuedRecord(ctx, req, issued, chain, guard, publicKey)), chain };
}

/**
 * The certificate's insert. With a `guard` (an SQL condition), the serial is
 * `(SELECT serial WHERE guard)`: when the guard is false at commit time the
 * serial is NULL, the NOT NULL constraint fails and the whole batch (audit
 * entry, revocations, authenticators) rolls back. Commit with `commitGuarded`.
 */
function insertCertificate(ctx: DomainContext, row: CertificateRow, guard: SQL | undefined) {
  if (!guard) return ctx.db.insert(certificates).values(row);
  return ctx.db.insert(certificates).values({ ...row, serial: sql`(SELECT ${row.serial} WHERE ${guard})` });
}

const GUARD_FAILED = "NOT NULL constraint failed: certificates.serial";

function guardFailed(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++)
    if (e.message.includes(GUARD_FAILED)) return true;
  return false;
}

/** `commitAudited` for batches with a guarded certificate insert: a false guard becomes `refusal`, nothing applied. */
export async function commitGuarded(
  ctx: DomainContext,
  statements: BatchItem<"sqlite">[],
  audit: Parameters<typeof commitAudited>[2],
  refusal: () => DomainError,
): Promise<void> {
  try {
    await commitAudited(ctx, statements, audit);
  } catch (err) {
    if (guardFailed(err)) throw refusal();
    throw err;
  }
}

/** `commitAudited` for a batch with a guarded certificate insert: false (nothing applied) when the guard was false. */
export async function commitIfGuarded(
  ctx: DomainContext,
  statements: BatchItem<"sqlite">[],
  audit: Parameters<typeof commitAudited>[2],
): Promise<boolean> {
  try {
    await commitAudited(ctx, statements, audit);
    return true;
  } catch (err) {
    if (guardFailed(err)) return false;
    throw err;
  }
}

/** SQL: every certificate of `ids` is still active (checked inside the committing batch). */
export function allStillActive(ids: string[]): SQL {
  return sql`(SELECT count(*) FROM ${certificates} WHERE ${inArray(certificates.id, ids)} AND ${certificates.status} = 'active') = ${ids.length}`;
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
export async function issueWithServerKey(ctx: DomainContext, req: IssueRequest, guard?: SQL) {
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
  return { ...(await issuedRecord(ctx, req, issued, chain, guard, undefined)), chain, keyPem: issued.keyPem };
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

/**
 * Statements that revoke certificates, mark their issuer's CRL stale (re-signed
 * off this path, see crl.service.ts) and — unless `keepAuthenticators` —
 * remove their authenticators. Commit them in one batch.
 */
export function revocationStatements(
  ctx: DomainContext,
  ids: string[],
  reason: RevocationReason,
  opts: { keepAuthenticators?: boolean } = {},
): BatchItem<"sqlite">[] {
  const now = ctx.now();
  const statements: BatchItem<"sqlite">[] = [
    ctx.db
      .update(certificates)
      .set({ status: "revoked", revokedAt: now, revocationReason: reason })
      .where(and(inArray(certificates.id, ids), eq(certificates.status, "active"))),
    crlStaleStatement(ctx, ids),
  ];
  if (!opts.keepAuthenticators) {
    // Ziti API sessions authenticated with these certificates' authenticators end with them.
    const authIds = ctx.db
      .select({ id: authenticators.id })
      .from(authenticators)
      .where(inArray(authenticators.certificateId, ids));
    statements.push(
      ctx.db.delete(apiSessions).where(inArray(apiSessions.authenticatorId, authIds)),
      ctx.db.delete(authenticators).where(inArray(authenticators.certificateId, ids)),
    );
  }
  return statements;
}

/** Revokes one certificate with a reason; its CRL is marked stale in the same batch. */
export async function revokeCertificate(ctx: DomainContext, id: string, reason: RevocationReason = "unspecified") {
  const row = await getCertificate(ctx, id);
  if (row.status === "revoked") return row;
  await commitAudited(ctx, revocationStatements(ctx, [id], reason), {
    action: "certificate.revoke",
    targetType: "certificate",
    targetId: id,
    detail: { serial: row.serial, reason },
  });
  await endHostConnections(ctx, row.hostId, [id], "certificate revoked");
  return { ...row, status: "revoked" as const };
}
