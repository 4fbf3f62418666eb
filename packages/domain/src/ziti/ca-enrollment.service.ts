import { and, eq } from "drizzle-orm";
import { audit, commitAudited } from "../audit/audit.service";
import { claimEnrollment, findEnrollmentForToken, unclaimEnrollment } from "../pki/enrollment-redeem.service";
import { authenticators, identities, zitiCaAuthenticators, zitiCaEnrollments, zitiCas } from "../schema";
import { addressKey } from "../shared/address-key";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { hit } from "../shared/rate-limit";
import { type ClientCertFacts, clientCertFacts, type TlsClientCertFields } from "./client-cert";
import type { ZitiCaRow } from "./third-party-cas.service";

/** Why a client certificate does not chain to a CA (logged, never sent). */
function chainRefusal(ca: ZitiCaRow, cert: ClientCertFacts | undefined, now: number): string | undefined {
  if (!cert) return "no verified client certificate";
  if (!ca.isVerified) return "CA not verified";
  if (cert.issuerKeyId !== ca.keyId) return "issued by another CA";
  if (cert.notBefore > now || cert.notAfter <= now) return "client certificate outside its validity";
  if (ca.notAfter <= now) return "CA expired";
  return undefined;
}

/** Refuses a certificate already bound to an authenticator (ours or a third party's). */
async function assertCertUnused(ctx: DomainContext, cert: ClientCertFacts): Promise<void> {
  const [byOurs, byTheirs] = await Promise.all([
    ctx.db
      .select({ id: authenticators.id })
      .from(authenticators)
      .where(eq(authenticators.fingerprint, cert.sha1))
      .get(),
    ctx.db
      .select({ id: zitiCaAuthenticators.authenticatorId })
      .from(zitiCaAuthenticators)
      .where(eq(zitiCaAuthenticators.fingerprintSha256, cert.sha256))
      .get(),
  ]);
  if (byOurs || byTheirs) throw new DomainError("ziti.cert_in_use", { reason: `fingerprint ${cert.sha1}` });
}

/** The statements that bind a third-party certificate to an identity (a fingerprint-only cert authenticator). */
function authenticatorRows(ctx: DomainContext, identityId: string, ca: ZitiCaRow, cert: ClientCertFacts) {
  const id = newId();
  const now = ctx.now();
  return [
    ctx.db.insert(authenticators).values({
      id,
      identityId,
      method: "cert",
      fingerprint: cert.sha1,
      certPem: null,
      certificateId: null,
      createdAt: now,
      updatedAt: now,
    }),
    ctx.db
      .insert(zitiCaAuthenticators)
      .values({ authenticatorId: id, caId: ca.id, fingerprintSha256: cert.sha256, notAfter: cert.notAfter }),
  ] as const;
}

const unique = (err: unknown) => /UNIQUE constraint failed/i.test(String(err));

/** OpenZiti's identity name format: `[caName]`, `[caId]`, `[commonName]`, `[requestedName]`, `[identityId]`. */
export function formatCaIdentityName(
  format: string,
  values: { caName: string; caId: string; commonName: string; requestedName: string; identityId: string },
): string {
  return format.replace(
    /\[(caName|caId|commonName|requestedName|identityId)\]/g,
    (_, k: keyof typeof values) => values[k],
  );
}

/**
 * Ziti `POST /enroll/ca`: a client certificate issued by a verified CA with
 * auto-enrollment enabled creates a new identity (roles = the CA's identity
 * roles, name from its name format) with a fingerprint-only cert
 * authenticator. As the controller: no CA registered at all →
 * `ENROLLMENT_NO_VALID_CAS`; no usable CA issued the certificate →
 * `CERT_FAILED_VALIDATION`; the certificate already enrolled → `CERT_IN_USE`.
 */
export async function enrollWithCa(
  ctx: DomainContext,
  tls: TlsClientCertFields | undefined,
  requestedName: string | undefined,
): Promise<{ identityId: string; name: string }> {
  await hit(ctx, `enroll-ca:ip:${addressKey(ctx.sourceIp)}`, 30, 60);
  const cas = await ctx.db.select().from(zitiCas).all();
  if (cas.length === 0) throw new DomainError("ziti.enrollment_no_valid_cas");
  const cert = clientCertFacts(tls);
  const now = ctx.now();
  const ca = cas.find((c) => c.isAutoCaEnrollmentEnabled && chainRefusal(c, cert, now) === undefined);
  if (!ca || !cert) {
    await audit(ctx, {
      action: "enrollment.complete",
      outcome: "failure",
      detail: {
        method: "ca",
        reason: cert ? "no verified auto-enrollment CA issued the certificate" : "no client certificate",
      },
    });
    throw new DomainError("ziti.cert_failed_validation", { reason: "no verified auto-enrollment CA issued it" });
  }
  await assertCertUnused(ctx, cert);
  const identityId = newId();
  const base = formatCaIdentityName(ca.identityNameFormat, {
    caName: ca.name,
    caId: ca.id,
    commonName: cert.commonName,
    requestedName: requestedName?.trim() || identityId,
    identityId,
  }).slice(0, 200);
  // Name collisions get a 6-digit counter, as the controller does.
  let name = base;
  for (let n = 1; await nameTaken(ctx, name); n++) name = `${base}${String(n).padStart(6, "0")}`;
  try {
    await commitAudited(
      ctx,
      [
        ctx.db.insert(identities).values({
          id: identityId,
          kind: "service",
          name,
          displayName: name,
          role: "reporter",
          roleAttributes: ca.identityRoles,
          createdAt: now,
          updatedAt: now,
        }),
        ...authenticatorRows(ctx, identityId, ca, cert),
      ],
      {
        action: "enrollment.complete",
        targetType: "identity",
        targetId: identityId,
        detail: { method: "ca", ca: ca.id, fingerprint: cert.sha1 },
      },
    );
  } catch (err) {
    if (!unique(err)) throw err;
    await assertCertUnused(ctx, cert);
    throw new DomainError("common.conflict", "An identity with this name already exists");
  }
  return { identityId, name };
}

async function nameTaken(ctx: DomainContext, name: string): Promise<boolean> {
  const row = await ctx.db
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.kind, "service"), eq(identities.name, name)))
    .get();
  return row !== undefined;
}

/**
 * Ziti `POST /enroll/ottca`: the one-time token of an identity's `ottca`
 * enrollment plus a client certificate issued by that enrollment's CA bind
 * the certificate to the identity. Single use under concurrency: the token is
 * claimed by one conditional update before anything is written.
 */
export async function enrollWithOttCa(
  ctx: DomainContext,
  token: string,
  tls: TlsClientCertFields | undefined,
): Promise<{ identityId: string }> {
  const row = await findEnrollmentForToken(ctx, token, "ottca");
  const link = await ctx.db
    .select()
    .from(zitiCaEnrollments)
    .innerJoin(zitiCas, eq(zitiCaEnrollments.caId, zitiCas.id))
    .where(eq(zitiCaEnrollments.enrollmentId, row.enrollments.id))
    .get();
  if (!link) throw new DomainError("pki.enrollment_token_invalid");
  const ca = link.ziti_cas;
  if (!ca.isOttCaEnrollmentEnabled || !ca.isVerified) {
    throw new DomainError("ziti.enrollment_ca_not_valid", {
      reason: ca.isVerified ? "ottca enrollment disabled" : "CA not verified",
    });
  }
  const cert = clientCertFacts(tls);
  const refused = chainRefusal(ca, cert, ctx.now());
  if (refused || !cert) throw new DomainError("ziti.cert_failed_validation", { reason: refused });
  await assertCertUnused(ctx, cert);
  const identityId = row.identities.id;
  const existing = await ctx.db
    .select({ id: authenticators.id })
    .from(authenticators)
    .where(and(eq(authenticators.identityId, identityId), eq(authenticators.method, "cert")))
    .get();
  if (existing) throw new DomainError("pki.already_enrolled");
  await claimEnrollment(ctx, row.enrollments.id);
  try {
    await commitAudited(ctx, [...authenticatorRows(ctx, identityId, ca, cert)], {
      action: "enrollment.complete",
      targetType: "identity",
      targetId: identityId,
      detail: { enrollment: row.enrollments.id, method: "ottca", ca: ca.id, fingerprint: cert.sha1 },
    });
  } catch (err) {
    await unclaimEnrollment(ctx, row.enrollments.id);
    if (unique(err)) throw new DomainError("ziti.cert_in_use", { reason: `fingerprint ${cert.sha1}` });
    throw err;
  }
  return { identityId };
}

/**
 * Certificate authentication with a third-party certificate: the edge-verified
 * certificate's SHA-256 names a CA-bound authenticator whose CA is verified,
 * has authentication enabled and issued it; the certificate is still valid.
 */
export async function authenticateByCaCertificate(ctx: DomainContext, tls: TlsClientCertFields | undefined) {
  const cert = clientCertFacts(tls);
  if (!cert) return undefined;
  const row = await ctx.db
    .select()
    .from(zitiCaAuthenticators)
    .innerJoin(zitiCas, eq(zitiCaAuthenticators.caId, zitiCas.id))
    .innerJoin(authenticators, eq(zitiCaAuthenticators.authenticatorId, authenticators.id))
    .innerJoin(identities, eq(authenticators.identityId, identities.id))
    .where(eq(zitiCaAuthenticators.fingerprintSha256, cert.sha256))
    .get();
  if (!row) return undefined;
  const ca = row.ziti_cas;
  if (!ca.isAuthEnabled || chainRefusal(ca, cert, ctx.now()) !== undefined || row.identities.disabled) return undefined;
  return { identity: row.identities, authenticatorId: row.authenticators.id };
}
