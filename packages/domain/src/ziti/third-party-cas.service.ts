import { signJwt } from "@fleetgate/auth";
import { checkCaVerification, thirdPartyCaInfo } from "@fleetgate/pki";
import { and, asc, eq, inArray } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { activeSigningKey } from "../identity/signing-keys.service";
import { apiSessions, authenticators, enrollments, zitiCaAuthenticators, zitiCaEnrollments, zitiCas } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";

export type ZitiCaRow = typeof zitiCas.$inferSelect;

/** The admin-settable part of a third-party CA (the certificate is fixed at creation). */
export interface ZitiCaSettings {
  name: string;
  isAutoCaEnrollmentEnabled: boolean;
  isOttCaEnrollmentEnabled: boolean;
  isAuthEnabled: boolean;
  identityRoles: string[];
  identityNameFormat: string;
  tags: Record<string, unknown>;
}

/** What the native face shows of a CA; the verification token only while it is unverified. */
export interface ZitiCaView extends ZitiCaSettings {
  id: string;
  certPem: string;
  fingerprint: string;
  isVerified: boolean;
  verificationToken: string | null;
  createdAt: number;
  updatedAt: number;
}

const toView = (r: ZitiCaRow): ZitiCaView => ({
  id: r.id,
  name: r.name,
  certPem: r.certPem,
  fingerprint: r.fingerprint,
  isVerified: r.isVerified,
  verificationToken: r.isVerified ? null : r.verificationToken,
  isAutoCaEnrollmentEnabled: r.isAutoCaEnrollmentEnabled,
  isOttCaEnrollmentEnabled: r.isOttCaEnrollmentEnabled,
  isAuthEnabled: r.isAuthEnabled,
  identityRoles: r.identityRoles,
  identityNameFormat: r.identityNameFormat,
  tags: r.tags,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const unique = (err: unknown) => /UNIQUE constraint failed/i.test(String(err));

async function row(ctx: DomainContext, id: string): Promise<ZitiCaRow> {
  const found = await ctx.db.select().from(zitiCas).where(eq(zitiCas.id, id)).get();
  if (!found) throw new DomainError("common.not_found", "CA not found");
  return found;
}

export async function listZitiCas(ctx: DomainContext): Promise<ZitiCaView[]> {
  return (await ctx.db.select().from(zitiCas).orderBy(asc(zitiCas.name)).all()).map(toView);
}

export async function getZitiCa(ctx: DomainContext, id: string): Promise<ZitiCaView> {
  return toView(await row(ctx, id));
}

/**
 * Registers a third-party CA, unverified, with a fresh verification token
 * (OpenZiti `POST /cas`). The certificate must be a CA certificate with a
 * subjectKeyIdentifier; one CA certificate (and one key) is registered once.
 */
export async function createZitiCa(
  ctx: DomainContext,
  input: ZitiCaSettings & { certPem: string },
): Promise<ZitiCaView> {
  let info: Awaited<ReturnType<typeof thirdPartyCaInfo>>;
  try {
    info = await thirdPartyCaInfo(input.certPem);
  } catch (err) {
    throw new DomainError("common.validation", `certPem: ${err instanceof TypeError ? err.message : "not a CA"}`);
  }
  if (info.notAfter.getTime() <= ctx.now()) throw new DomainError("common.validation", "certPem: the CA has expired");
  const now = ctx.now();
  const value: ZitiCaRow = {
    id: newId(),
    ...input,
    certPem: input.certPem.trim(),
    fingerprint: info.fingerprintSha1,
    subject: info.subject,
    keyId: info.keyId,
    notAfter: info.notAfter.getTime(),
    isVerified: false,
    // A random, unguessable CN the admin signs with the CA key (OpenZiti uses a random token too).
    verificationToken: crypto.randomUUID().replace(/-/g, ""),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await commitAudited(ctx, [ctx.db.insert(zitiCas).values(value)], {
      action: "ziti.ca.create",
      targetType: "ziti_ca",
      targetId: value.id,
      detail: { name: value.name, fingerprint: value.fingerprint },
    });
  } catch (err) {
    if (unique(err)) throw new DomainError("common.conflict", "A CA with this name or certificate already exists");
    throw err;
  }
  return toView(value);
}

/** Replaces a CA's settings (name, flags, identity roles and name format, tags). */
export async function updateZitiCa(ctx: DomainContext, id: string, input: ZitiCaSettings): Promise<ZitiCaView> {
  const current = await row(ctx, id);
  const next: ZitiCaRow = { ...current, ...input, updatedAt: ctx.now() };
  try {
    await commitAudited(ctx, [ctx.db.update(zitiCas).set(next).where(eq(zitiCas.id, id))], {
      action: "ziti.ca.update",
      targetType: "ziti_ca",
      targetId: id,
      detail: {
        name: input.name,
        isAutoCaEnrollmentEnabled: input.isAutoCaEnrollmentEnabled,
        isOttCaEnrollmentEnabled: input.isOttCaEnrollmentEnabled,
        isAuthEnabled: input.isAuthEnabled,
      },
    });
  } catch (err) {
    if (unique(err)) throw new DomainError("common.conflict", "A CA with this name already exists");
    throw err;
  }
  return toView(next);
}

/**
 * Deletes a CA with everything that trusted it: the cert authenticators of
 * certificates it issued (and their API sessions) and its open ottca
 * enrollments, in one batch.
 */
export async function deleteZitiCa(ctx: DomainContext, id: string): Promise<void> {
  await row(ctx, id);
  const authIds = (
    await ctx.db
      .select({ id: zitiCaAuthenticators.authenticatorId })
      .from(zitiCaAuthenticators)
      .where(eq(zitiCaAuthenticators.caId, id))
      .all()
  ).map((r) => r.id);
  const enrollmentIds = (
    await ctx.db
      .select({ id: zitiCaEnrollments.enrollmentId })
      .from(zitiCaEnrollments)
      .where(eq(zitiCaEnrollments.caId, id))
      .all()
  ).map((r) => r.id);
  await commitAudited(
    ctx,
    [
      ...(authIds.length
        ? [
            ctx.db.delete(apiSessions).where(inArray(apiSessions.authenticatorId, authIds)),
            ctx.db.delete(authenticators).where(inArray(authenticators.id, authIds)),
          ]
        : []),
      ...(enrollmentIds.length ? [ctx.db.delete(enrollments).where(inArray(enrollments.id, enrollmentIds))] : []),
      ctx.db.delete(zitiCas).where(eq(zitiCas.id, id)),
    ],
    {
      action: "ziti.ca.delete",
      targetType: "ziti_ca",
      targetId: id,
      detail: { authenticators: authIds.length, enrollments: enrollmentIds.length },
    },
  );
}

/**
 * Proof of possession (OpenZiti `POST /cas/{id}/verify`): a certificate
 * signed by the CA whose CN is the CA's verification token marks it verified.
 * The flip is a conditional update in the same batch as its audit entry.
 */
export async function verifyZitiCa(ctx: DomainContext, id: string, certPem: string): Promise<ZitiCaView> {
  const current = await row(ctx, id);
  if (current.isVerified || !current.verificationToken) throw new DomainError("ziti.ca_already_verified");
  const refused = await checkCaVerification(certPem, current.certPem, current.verificationToken, new Date(ctx.now()));
  if (refused) {
    throw new DomainError("ziti.ca_verification_failed", {
      message:
        refused === "wrong_common_name"
          ? "The common name of the supplied certificate is not the CA's verification token"
          : refused === "not_valid_now"
            ? "The supplied certificate is not within its validity period"
            : "The supplied certificate failed to validate against the CA's certificate",
      reason: refused,
    });
  }
  const now = ctx.now();
  await commitAudited(
    ctx,
    [
      ctx.db
        .update(zitiCas)
        .set({ isVerified: true, verificationToken: null, updatedAt: now })
        .where(and(eq(zitiCas.id, id), eq(zitiCas.isVerified, false))),
    ],
    { action: "ziti.ca.verify", targetType: "ziti_ca", targetId: id, detail: { fingerprint: current.fingerprint } },
  );
  return toView({ ...current, isVerified: true, verificationToken: null, updatedAt: now });
}

/**
 * The CA's enrollment JWT (OpenZiti `GET /cas/{id}/jwt`): `em: ca`, `sub` and
 * `jti` the CA id, no expiry, signed with the enrollment key. An SDK given it
 * enrolls at `/enroll?method=ca` with a certificate of that CA.
 */
export async function caEnrollmentJwt(ctx: DomainContext, id: string): Promise<string> {
  const ca = await row(ctx, id);
  const key = await activeSigningKey(ctx, "enrollment");
  return signJwt(
    key.privateJwk,
    key.kid,
    key.alg,
    { em: "ca", ctrls: [] },
    { issuer: ctx.issuer, audience: [""], ttlSeconds: null, subject: ca.id, jti: ca.id },
  );
}
