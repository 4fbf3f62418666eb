import { checkPasswordPolicy, hashPassword, sha256Hex, verifyJwt } from "@fleetgate/auth";
import { checkCsr, type ParsedCsr } from "@fleetgate/pki";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { rememberIssuedKey } from "../fleet/certificate-keys";
import { verificationKey } from "../identity/signing-keys.service";
import { authenticators, certificates, enrollments, identities } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { commitGuarded, commitIfGuarded, prepareIssue, validateCsr } from "./certificates.service";
import { lookupEnrollment } from "./enrollment-lookup.query";
import type { EnrollMethod, EnrollmentRow } from "./enrollments.service";

/*
 * Redeeming an enrollment (the agent or client side: Ziti `ott`, `updb`, and the claim used by
 * `ottca`); creating, listing and deleting them (the admin side) is enrollments.service.ts.
 */

/**
 * Accepts the raw token (`jti`, as Ziti's enroll URL carries it) or the whole enrollment JWT
 * (verified; then also its `sub`, the identity it was made for).
 */
async function tokenClaims(ctx: DomainContext, token: string): Promise<{ jti: string; sub?: string }> {
  const t = token.trim();
  if (t.split(".").length === 3) {
    const res = await verifyJwt(t, (kid) => verificationKey(ctx, kid, "enrollment"), {
      issuer: ctx.issuer,
      audience: "",
      algorithms: ["ES256"],
    });
    if (!res.ok)
      throw new DomainError(res.reason === "expired" ? "pki.enrollment_expired" : "pki.enrollment_token_invalid", {
        reason: `enrollment JWT refused: ${res.reason}`,
      });
    const sub = res.payload.sub;
    return { jti: String(res.payload.jti ?? ""), ...(typeof sub === "string" && sub !== "" ? { sub } : {}) };
  }
  if (!/^[0-9a-f-]{36}$/i.test(t)) throw new DomainError("pki.enrollment_token_invalid");
  return { jti: t };
}

async function findForToken(ctx: DomainContext, token: string, method: EnrollMethod) {
  const { jti } = await tokenClaims(ctx, token);
  const row = await ctx.db
    .select()
    .from(enrollments)
    .innerJoin(identities, eq(enrollments.identityId, identities.id))
    .where(eq(enrollments.tokenHash, await sha256Hex(jti)))
    .get();
  return checkedEnrollment(ctx, row, method);
}

/** The enrollment of a token, refused unless it is of `method`, unused and unexpired. */
function checkedEnrollment<R extends { enrollments: EnrollmentRow }>(
  ctx: DomainContext,
  row: R | undefined,
  method: EnrollMethod,
): R {
  if (!row) throw new DomainError("pki.enrollment_token_invalid");
  if (row.enrollments.method !== method) throw new DomainError("pki.enrollment_method_invalid");
  if (row.enrollments.usedAt !== null) throw new DomainError("pki.already_enrolled");
  if (row.enrollments.expiresAt <= ctx.now()) throw new DomainError("pki.enrollment_expired");
  return row;
}

/** Single use under concurrency: exactly one conditional UPDATE can flip used_at. */
async function claim(ctx: DomainContext, id: string): Promise<void> {
  const res = await ctx.db
    .update(enrollments)
    .set({ usedAt: ctx.now() })
    .where(and(eq(enrollments.id, id), isNull(enrollments.usedAt), gt(enrollments.expiresAt, ctx.now())))
    .run();
  if (res.meta.changes !== 1) throw new DomainError("pki.already_enrolled");
}

async function unclaim(ctx: DomainContext, id: string): Promise<void> {
  await ctx.db.update(enrollments).set({ usedAt: null }).where(eq(enrollments.id, id)).run();
}

/**
 * Ziti `ott`: a CSR for the enrollment's identity (CN = identity id or its
 * name) → a client certificate and a `cert` authenticator. The CSR is checked
 * before the token is claimed, so a bad CSR does not burn the token.
 *
 * One D1 round trip when the token is the enrollment JWT and the CSR asks for
 * the JWT's subject (the identity id) as CN — the usual case (`enrollDirect`).
 * Otherwise, or when that batch's guard refuses, two: one prepared statement
 * reads the enrollment, its identity and whether the identity already has a
 * certificate authenticator (enrollment-lookup.query.ts), and answers each
 * refusal precisely; one audited batch claims the token and stores the
 * certificate. Either way the claim is single use under concurrency: the
 * certificate insert is guarded by "still unused, unexpired, no certificate
 * authenticator yet" (evaluated inside the committing batch, before its claim),
 * so of two racing enrollments exactly one commits and the other changes nothing.
 */
export async function enrollOtt(ctx: DomainContext, token: string, csrPem: string | undefined) {
  const { jti, sub } = await tokenClaims(ctx, token);
  const tokenHash = await sha256Hex(jti);
  if (sub !== undefined && csrPem?.includes("CERTIFICATE REQUEST")) {
    const checked = await checkCsr(csrPem, { allowedCommonNames: [sub] });
    if (checked.ok) {
      const direct = await enrollDirect(ctx, tokenHash, sub, checked.csr);
      if (direct) return direct;
    }
  }
  const found = await lookupEnrollment(ctx.db, tokenHash);
  const row = checkedEnrollment(
    ctx,
    found ? { enrollments: found.enrollment, identities: found.identity } : undefined,
    "ott",
  );
  const identity = row.identities;
  if (!csrPem || !csrPem.includes("CERTIFICATE REQUEST")) {
    throw new DomainError("pki.csr_refused", { details: { reason: "malformed" }, reason: "no PEM CSR in the request" });
  }
  const csr = await validateCsr(csrPem, [identity.id, identity.name]);
  if (found?.hasCertAuthenticator) throw new DomainError("pki.already_enrolled");
  const now = ctx.now();
  const enrollmentId = row.enrollments.id;
  const unclaimed = sql`EXISTS (SELECT 1 FROM ${enrollments} WHERE ${enrollments.id} = ${enrollmentId}
    AND ${enrollments.usedAt} IS NULL AND ${enrollments.expiresAt} > ${now})
    AND NOT EXISTS (SELECT 1 FROM ${authenticators} WHERE ${authenticators.identityId} = ${identity.id}
    AND ${authenticators.method} = 'cert')`;
  const prepared = await prepareIssue(
    ctx,
    {
      identityId: identity.id,
      commonName: csr.commonName,
      kind: "client",
      hostId: identity.kind === "host" ? identity.id : null,
      lifetimeSeconds: ctx.pki.hostCertSeconds,
      allowedNames: [identity.id, identity.name],
      authenticator: true,
    },
    csr.publicKey,
    unclaimed,
  );
  // The guarded certificate insert comes first in `prepared.statements`: the claim after it.
  await commitGuarded(
    ctx,
    [...prepared.statements, ctx.db.update(enrollments).set({ usedAt: now }).where(eq(enrollments.id, enrollmentId))],
    {
      action: "enrollment.complete",
      targetType: "identity",
      targetId: identity.id,
      detail: { enrollment: enrollmentId, method: "ott", serial: prepared.row.serial, key: csr.keyAlgorithm },
    },
    () => new DomainError("pki.already_enrolled"),
  );
  rememberIssuedKey(prepared.row.fingerprintSha256, csr.publicKey, csr.keyAlgorithm);
  return { certPem: prepared.row.certPem, chain: prepared.chain };
}

/**
 * The `ott` enrollment in ONE audited batch, nothing read first: the token is a verified
 * enrollment JWT for `identityId` and the CSR (already checked) asks for that id as CN. The
 * certificate insert is guarded by "this token's enrollment is an unused, unexpired `ott`
 * enrollment of that identity, which has no certificate authenticator yet"; what a read would
 * have told is derived inside the batch (the host link of a host identity, the enrollment's id
 * in the audit entry). Undefined when the guard was false: nothing was applied, and the caller
 * reads the enrollment to answer with the precise refusal.
 */
async function enrollDirect(ctx: DomainContext, tokenHash: string, identityId: string, csr: ParsedCsr) {
  const now = ctx.now();
  const enrollmentOf = sql`(SELECT ${enrollments.id} FROM ${enrollments} WHERE ${enrollments.tokenHash} = ${tokenHash})`;
  const open = sql`EXISTS (SELECT 1 FROM ${enrollments} WHERE ${enrollments.tokenHash} = ${tokenHash}
    AND ${enrollments.identityId} = ${identityId} AND ${enrollments.method} = 'ott'
    AND ${enrollments.usedAt} IS NULL AND ${enrollments.expiresAt} > ${now})
    AND NOT EXISTS (SELECT 1 FROM ${authenticators} WHERE ${authenticators.identityId} = ${identityId}
    AND ${authenticators.method} = 'cert')`;
  const prepared = await prepareIssue(
    ctx,
    {
      identityId,
      commonName: csr.commonName,
      kind: "client",
      hostId: null,
      lifetimeSeconds: ctx.pki.hostCertSeconds,
      allowedNames: [identityId],
      authenticator: true,
    },
    csr.publicKey,
    open,
  );
  const committed = await commitIfGuarded(
    ctx,
    [
      ...prepared.statements,
      // A host identity's certificate names its host (the read path knows the kind beforehand).
      ctx.db
        .update(certificates)
        .set({ hostId: identityId })
        .where(
          and(
            eq(certificates.id, prepared.row.id),
            sql`EXISTS (SELECT 1 FROM ${identities} WHERE ${identities.id} = ${identityId} AND ${identities.kind} = 'host')`,
          ),
        ),
      ctx.db.update(enrollments).set({ usedAt: now }).where(eq(enrollments.tokenHash, tokenHash)),
    ],
    {
      action: "enrollment.complete",
      targetType: "identity",
      targetId: identityId,
      detailSql: sql`json_object('enrollment', ${enrollmentOf}, 'method', 'ott', 'serial', ${prepared.row.serial}, 'key', ${csr.keyAlgorithm})`,
    },
  );
  if (!committed) return undefined;
  rememberIssuedKey(prepared.row.fingerprintSha256, csr.publicKey, csr.keyAlgorithm);
  return { certPem: prepared.row.certPem, chain: prepared.chain };
}

/** Ziti `updb`: sets the password of an identity created without one. */
export async function enrollUpdb(ctx: DomainContext, token: string, input: { username?: string; password: string }) {
  const row = await findForToken(ctx, token, "updb");
  const identity = row.identities;
  const weak = checkPasswordPolicy(input.password);
  if (weak) throw new DomainError("auth.weak_password", weak);
  const username = input.username ?? identity.name;
  const taken = await ctx.db
    .select({ id: authenticators.id })
    .from(authenticators)
    .where(eq(authenticators.username, username))
    .get();
  if (taken) throw new DomainError("common.conflict", "Username already exists");
  const hash = await hashPassword(input.password, ctx.pepper);
  await claim(ctx, row.enrollments.id);
  const now = ctx.now();
  try {
    await commitAudited(
      ctx,
      [
        ctx.db.insert(authenticators).values({
          id: newId(),
          identityId: identity.id,
          method: "updb",
          username,
          passwordHash: hash,
          createdAt: now,
          updatedAt: now,
        }),
      ],
      { action: "enrollment.complete", targetType: "identity", targetId: identity.id, detail: { method: "updb" } },
    );
  } catch (err) {
    await unclaim(ctx, row.enrollments.id);
    if (/UNIQUE constraint failed/i.test(String(err)))
      throw new DomainError("common.conflict", "Username already exists");
    throw err;
  }
  return { identity, username };
}

/** For the third-party CA enrollments (`ziti/ca-enrollment.service.ts`): the same token lookup and single-use claim. */
export { claim as claimEnrollment, findForToken as findEnrollmentForToken, unclaim as unclaimEnrollment };
