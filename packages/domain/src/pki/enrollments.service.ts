import { decrypt, encrypt, sha256Hex, signJwt } from "@fleetgate/auth";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { commitAudited } from "../audit/audit.service";
import { HOST_NAME, newHostRows } from "../fleet/host-records";
import { activeSigningKey } from "../identity/signing-keys.service";
import { enrollments, hostGroups, identities, zitiCaEnrollments, zitiCas } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";

export type EnrollmentRow = typeof enrollments.$inferSelect;
export type EnrollMethod = "ott" | "updb" | "ottca";

/** Default 3 h, minimum 5 min (Ziti: 180 min default, 5 min minimum); capped at 30 days. */
export const ENROLLMENT_DEFAULT_SECONDS = 3 * 3600;
export const ENROLLMENT_MIN_SECONDS = 300;
export const ENROLLMENT_MAX_SECONDS = 30 * 86_400;
const JWT_AAD = "enrollment-jwt";

export interface EnrollmentView {
  id: string;
  identityId: string;
  identityName: string;
  kind: "user" | "service" | "host";
  method: EnrollMethod;
  jwt: string | null;
  expiresAt: number;
  usedAt: number | null;
  createdAt: number;
}

/** The host record of a registration by name (fqdn resolved beforehand). */
export interface HostRegistration {
  fqdn: string;
  ipAddress: string;
  displayName?: string;
  agentPort?: number;
  notes?: string;
  groupIds: string[];
}

/**
 * Admin creates a new identity plus a one-time enrollment for it. The JWT is
 * Ziti's format (`em`, `jti` = token, `sub` = identity id, `iss`, `exp`,
 * `kid`); only SHA-256(jti) is indexed, the JWT itself is kept encrypted so
 * the identity detail can show it until used.
 */
export async function createEnrollment(
  ctx: DomainContext,
  input: {
    name: string;
    kind: "host" | "user" | "service";
    method: EnrollMethod;
    expiresIn?: number;
    /** A host registered by name (POST /hosts): its record, created in the same batch as the enrollment. */
    host?: HostRegistration;
    /** `ottca`: the third-party CA the identity's certificate must chain to. */
    caId?: string;
  },
): Promise<EnrollmentView> {
  if ((input.method === "ottca") !== (input.caId !== undefined)) {
    throw new DomainError("common.validation", "ca_id is required with method ottca, and only with it");
  }
  if (input.caId !== undefined) {
    const ca = await ctx.db.select({ id: zitiCas.id }).from(zitiCas).where(eq(zitiCas.id, input.caId)).get();
    if (!ca) throw new DomainError("common.validation", "ca_id: no such CA");
  }
  if (input.kind === "host" && input.method !== "ott") {
    throw new DomainError("common.validation", "Hosts enroll with a certificate: method must be ott");
  }
  if (input.kind === "host" && !HOST_NAME.test(input.name)) {
    throw new DomainError("common.validation", "name: a host name may contain letters, digits, '.', '-' and '_'");
  }
  const seconds = input.expiresIn ?? ENROLLMENT_DEFAULT_SECONDS;
  if (seconds < ENROLLMENT_MIN_SECONDS || seconds > ENROLLMENT_MAX_SECONDS) {
    throw new DomainError(
      "common.validation",
      `expires_in must be between ${ENROLLMENT_MIN_SECONDS} and ${ENROLLMENT_MAX_SECONDS} seconds`,
    );
  }
  const kind = input.kind;
  // A name already taken (identities' unique kind+name, hosts' unique name) fails the batch
  // below as a whole and is answered as a conflict there: no read before the write.
  const identityId = newId();
  const jti = crypto.randomUUID();
  const now = ctx.now();
  const expiresAt = now + seconds * 1000;
  const key = await activeSigningKey(ctx, "enrollment");
  const jwt = await signJwt(
    key.privateJwk,
    key.kid,
    key.alg,
    { em: input.method, ctrls: [] },
    { issuer: ctx.issuer, audience: [""], ttlSeconds: seconds, subject: identityId, jti, now },
  );
  const id = newId();
  const identityStatements: BatchItem<"sqlite">[] =
    kind === "host"
      ? [
          ...newHostRows(ctx, { id: identityId, name: input.name, ...input.host }),
          ...(input.host?.groupIds ?? []).map((groupId) =>
            ctx.db.insert(hostGroups).values({ hostId: identityId, groupId }),
          ),
        ]
      : [
          ctx.db.insert(identities).values({
            id: identityId,
            kind,
            name: input.name,
            displayName: input.name,
            role: kind === "service" ? "operator" : "reporter",
            createdBy: ctx.actor?.id ?? null,
            createdAt: now,
            updatedAt: now,
          }),
        ];
  try {
    await commitAudited(
      ctx,
      [
        ...identityStatements,
        ctx.db.insert(enrollments).values({
          id,
          identityId,
          method: input.method,
          tokenHash: await sha256Hex(jti),
          jwtEnc: await encrypt(ctx.keys.data, jwt, `${JWT_AAD}:${id}`),
          expiresAt,
          createdBy: ctx.actor?.id ?? null,
          createdAt: now,
        }),
        ...(input.caId !== undefined
          ? [ctx.db.insert(zitiCaEnrollments).values({ enrollmentId: id, caId: input.caId })]
          : []),
      ],
      input.host
        ? {
            action: "host.register",
            targetType: "host",
            targetId: identityId,
            detail: {
              enrollment: id,
              fqdn: input.host.fqdn,
              ip_address: input.host.ipAddress,
              groups: input.host.groupIds,
            },
          }
        : {
            action: "enrollment.create",
            targetType: "enrollment",
            targetId: id,
            detail: { identity: identityId, kind, method: input.method, ...(input.caId ? { ca: input.caId } : {}) },
          },
    );
  } catch (err) {
    if (/UNIQUE constraint failed/i.test(String(err)))
      throw new DomainError("common.conflict", "An identity with this name already exists");
    throw err;
  }
  return {
    id,
    identityId,
    identityName: input.name,
    kind,
    method: input.method,
    jwt,
    expiresAt,
    usedAt: null,
    createdAt: now,
  };
}

async function view(ctx: DomainContext, row: EnrollmentRow, identity: { name: string; kind: EnrollmentView["kind"] }) {
  const jwt = row.usedAt === null ? await decrypt(ctx.keys.data, row.jwtEnc, `${JWT_AAD}:${row.id}`) : null;
  return {
    id: row.id,
    identityId: row.identityId,
    identityName: identity.name,
    kind: identity.kind,
    method: row.method,
    jwt,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt,
    createdAt: row.createdAt,
  } satisfies EnrollmentView;
}

export async function listEnrollments(ctx: DomainContext): Promise<EnrollmentView[]> {
  const rows = await ctx.db
    .select()
    .from(enrollments)
    .innerJoin(identities, eq(enrollments.identityId, identities.id))
    .orderBy(desc(enrollments.createdAt))
    .all();
  return Promise.all(rows.map((r) => view(ctx, r.enrollments, r.identities)));
}

/** The open (unused, unexpired) enrollment of an identity, for the Ziti identity detail. */
export async function openEnrollmentOf(ctx: DomainContext, identityId: string): Promise<EnrollmentView | undefined> {
  const row = await ctx.db
    .select()
    .from(enrollments)
    .innerJoin(identities, eq(enrollments.identityId, identities.id))
    .where(
      and(eq(enrollments.identityId, identityId), isNull(enrollments.usedAt), gt(enrollments.expiresAt, ctx.now())),
    )
    .get();
  return row ? view(ctx, row.enrollments, row.identities) : undefined;
}

export async function deleteEnrollment(ctx: DomainContext, id: string): Promise<void> {
  const row = await ctx.db.select().from(enrollments).where(eq(enrollments.id, id)).get();
  if (!row) throw new DomainError("common.not_found", "Enrollment not found");
  await commitAudited(ctx, [ctx.db.delete(enrollments).where(eq(enrollments.id, id))], {
    action: "enrollment.delete",
    targetType: "enrollment",
    targetId: id,
  });
}
