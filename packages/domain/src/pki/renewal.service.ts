import { certificateInfo } from "@fleetgate/pki";
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { authenticators, certificates, hosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { hit } from "../shared/rate-limit";
import { endHostConnections } from "./certificate-liveness";
import {
  allStillActive,
  type CertificateRow,
  commitGuarded,
  getCertificate,
  issueWithServerKey,
  prepareIssue,
  revocationStatements,
  statusOf,
  validateCsr,
} from "./certificates.service";

/**
 * A certificate that may be renewed: active, or — only when the operator set a
 * grace window (RENEW_GRACE_SECONDS, off by default) — expired less than that
 * long ago, for hosts that were offline. Revoked certificates never renew.
 */
export async function renewableCertificate(ctx: DomainContext, sha256: string): Promise<CertificateRow | undefined> {
  const row = await ctx.db.select().from(certificates).where(eq(certificates.fingerprintSha256, sha256)).get();
  if (!row || row.status === "revoked") return undefined;
  const now = ctx.now();
  if (row.notAfter > now) return row;
  return ctx.pki.renewGraceSeconds > 0 && now - row.notAfter <= ctx.pki.renewGraceSeconds * 1000 ? row : undefined;
}

/** Renewals one host may make per day, over all its certificates. */
export const RENEWALS_PER_HOST_PER_DAY = 4;

/**
 * Renewal policy (issue 11): not before half the certificate's lifetime (the
 * agent renews at two thirds), and at most RENEWALS_PER_HOST_PER_DAY per host.
 * Both refusals are `common.rate_limited` with the seconds to wait.
 */
async function renewalAllowed(ctx: DomainContext, current: CertificateRow): Promise<void> {
  const halfway = current.notBefore + Math.floor((current.notAfter - current.notBefore) / 2);
  const now = ctx.now();
  if (now < halfway) {
    throw new DomainError("common.rate_limited", {
      details: { retryAfter: Math.ceil((halfway - now) / 1000) },
      reason: "renewal before half the lifetime",
    });
  }
  await hit(ctx, `renew:host:${current.hostId ?? current.identityId ?? current.id}`, RENEWALS_PER_HOST_PER_DAY, 86_400);
}

/**
 * Renewal with proof of possession of the current key (the caller verified a
 * proof signed by it): a new certificate for a new key with the same name; the
 * old one is revoked as `superseded` and its authenticator moves to the new one.
 */
export async function renewWithCsr(ctx: DomainContext, current: CertificateRow, csrPem: string) {
  const identityId = current.identityId;
  if (!identityId) throw new DomainError("common.not_found", "Certificate has no identity");
  const csr = await validateCsr(csrPem, [current.commonName]);
  await renewalAllowed(ctx, current);
  const prepared = await prepareIssue(
    ctx,
    {
      identityId,
      commonName: current.commonName,
      kind: current.kind === "server" ? "server" : "client",
      hostId: current.hostId,
      lifetimeSeconds: ctx.pki.hostCertSeconds,
      allowedNames: [current.commonName],
      authenticator: true,
    },
    csr.publicKey,
    allStillActive([current.id]),
  );
  // The new certificate's insert comes first and holds only while the old one is
  // still active: of two concurrent renewals exactly one commits.
  await commitGuarded(
    ctx,
    [...prepared.statements, ...revocationStatements(ctx, [current.id], "superseded")],
    {
      action: "certificate.renew",
      targetType: "certificate",
      targetId: prepared.row.id,
      detail: { previous: current.serial, serial: prepared.row.serial },
    },
    () => new DomainError("common.conflict", "The certificate was renewed or revoked meanwhile"),
  );
  await endHostConnections(ctx, current.hostId, [current.id], "certificate superseded");
  return prepared;
}

// ---- Ziti authenticator extend (two steps) -------------------------------

/**
 * Only a session authenticated with this certificate authenticator may extend
 * it (Ziti's `isCertExtendable`): a password session or another certificate's
 * session of the same identity is refused.
 */
function sameAuthenticator(authenticatorId: string, sessionAuthenticatorId: string): void {
  if (authenticatorId !== sessionAuthenticatorId)
    throw new DomainError("auth.unauthorized", { reason: "extend from a session of another authenticator" });
}

/**
 * The certificate of the identity's cert authenticator that `extend` and `extend-verify` act on:
 * 404 when there is none, 401 when the API session was opened by another authenticator.
 */
async function extendableCertificateId(
  ctx: DomainContext,
  identityId: string,
  authenticatorId: string,
  sessionAuthenticatorId: string,
): Promise<string> {
  const auth = await ctx.db
    .select()
    .from(authenticators)
    .where(
      and(
        eq(authenticators.id, authenticatorId),
        eq(authenticators.identityId, identityId),
        eq(authenticators.method, "cert"),
      ),
    )
    .get();
  if (!auth?.certificateId) throw new DomainError("common.not_found", "Authenticator not found");
  sameAuthenticator(authenticatorId, sessionAuthenticatorId);
  return auth.certificateId;
}

/** `extend`: issues the next certificate for a cert authenticator; it takes over only after `extend-verify`. */
export async function extendCertAuthenticator(
  ctx: DomainContext,
  identityId: string,
  authenticatorId: string,
  csrPem: string,
  sessionAuthenticatorId: string,
) {
  const certificateId = await extendableCertificateId(ctx, identityId, authenticatorId, sessionAuthenticatorId);
  const current = await getCertificate(ctx, certificateId);
  const csr = await validateCsr(csrPem, [current.commonName]);
  const prepared = await prepareIssue(
    ctx,
    {
      identityId,
      commonName: current.commonName,
      kind: "client",
      hostId: current.hostId,
      lifetimeSeconds: ctx.pki.hostCertSeconds,
      allowedNames: [current.commonName],
      authenticator: false,
    },
    csr.publicKey,
  );
  await commitAudited(ctx, prepared.statements, {
    action: "authenticator.extend",
    targetType: "authenticator",
    targetId: authenticatorId,
    detail: { serial: prepared.row.serial },
  });
  return prepared;
}

/** `extend-verify`: the client proves it installed the new certificate; the authenticator switches, the old one is revoked. */
export async function verifyExtendedAuthenticator(
  ctx: DomainContext,
  identityId: string,
  authenticatorId: string,
  certPem: string,
  sessionAuthenticatorId: string,
) {
  const certificateId = await extendableCertificateId(ctx, identityId, authenticatorId, sessionAuthenticatorId);
  let info: Awaited<ReturnType<typeof certificateInfo>>;
  try {
    info = await certificateInfo(certPem);
  } catch {
    throw new DomainError("pki.client_cert_invalid", "clientCert: not a PEM certificate");
  }
  const next = await ctx.db
    .select()
    .from(certificates)
    .where(eq(certificates.fingerprintSha256, info.fingerprintSha256))
    .get();
  if (!next || next.identityId !== identityId || next.id === certificateId || statusOf(next, ctx.now()) !== "active") {
    throw new DomainError("pki.client_cert_invalid", "clientCert: not the certificate issued by extend");
  }
  await commitAudited(
    ctx,
    [
      ...revocationStatements(ctx, [certificateId], "superseded", { keepAuthenticators: true }),
      ctx.db
        .update(authenticators)
        .set({ fingerprint: next.fingerprintSha1, certPem: next.certPem, certificateId: next.id, updatedAt: ctx.now() })
        .where(eq(authenticators.id, authenticatorId)),
    ],
    {
      action: "authenticator.extend_verify",
      targetType: "authenticator",
      targetId: authenticatorId,
      detail: { serial: next.serial },
    },
  );
}

// ---- ephemeral API-session certificates ------------------------------------

/** Active certificates one API session may hold (issue 11: each costs a signature and a row). */
export const MAX_SESSION_CERTIFICATES = 8;

export async function issueSessionCertificate(
  ctx: DomainContext,
  identityId: string,
  identityName: string,
  sessionId: string,
  csrPem: string,
) {
  const csr = await validateCsr(csrPem, [identityId, identityName]);
  const prepared = await prepareIssue(
    ctx,
    {
      identityId,
      commonName: csr.commonName,
      kind: "session",
      apiSessionId: sessionId,
      lifetimeSeconds: ctx.pki.sessionCertSeconds,
      allowedNames: [identityId, identityName],
    },
    csr.publicKey,
    sql`(SELECT count(*) FROM ${certificates} WHERE ${certificates.apiSessionId} = ${sessionId} AND ${certificates.status} = 'active' AND ${certificates.notAfter} > ${ctx.now()}) < ${MAX_SESSION_CERTIFICATES}`,
  );
  // The cap is checked inside the committing batch, so concurrent requests cannot pass it together.
  await commitGuarded(
    ctx,
    prepared.statements,
    {
      action: "certificate.issue",
      targetType: "certificate",
      targetId: prepared.row.id,
      detail: { serial: prepared.row.serial, kind: "session", session: sessionId },
    },
    () => new DomainError("pki.session_certificate_limit"),
  );
  return prepared;
}

export async function listSessionCertificates(ctx: DomainContext, sessionId: string) {
  return ctx.db
    .select()
    .from(certificates)
    .where(
      and(
        eq(certificates.apiSessionId, sessionId),
        eq(certificates.status, "active"),
        gt(certificates.notAfter, ctx.now()),
      ),
    )
    .all();
}

export async function sessionCertificate(ctx: DomainContext, sessionId: string, id: string) {
  const row = await ctx.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.id, id), eq(certificates.apiSessionId, sessionId)))
    .get();
  if (!row) throw new DomainError("common.not_found", "Certificate not found");
  return row;
}

// ---- Linux Patch Manager certificate management (server-made keys) ---------

async function hostOf(ctx: DomainContext, hostId: string) {
  const host = await ctx.db.select().from(hosts).where(eq(hosts.id, hostId)).get();
  if (!host) throw new DomainError("common.not_found", "Host not found");
  return host;
}

/**
 * `POST /hosts/{id}/certificates` (Linux Patch Manager): a client and a server
 * certificate with server-generated keys (shown once, never stored). With
 * `revokeFirst` (reissue) every active certificate of the host is revoked first.
 */
export async function issueHostCertificate(ctx: DomainContext, hostId: string, hostname?: string, revokeFirst = false) {
  const host = await hostOf(ctx, hostId);
  const name = hostname ?? host.name;
  if (name !== host.name && name !== host.fqdn)
    throw new DomainError("common.validation", "hostname must be the host's name or fqdn");
  const active = revokeFirst
    ? (
        await ctx.db
          .select()
          .from(certificates)
          .where(and(eq(certificates.hostId, hostId), eq(certificates.status, "active")))
          .all()
      ).map((r) => r.id)
    : [];
  const base = {
    identityId: host.identityId ?? host.id,
    commonName: name,
    hostId,
    lifetimeSeconds: ctx.pki.hostCertSeconds,
    allowedNames: [name],
  };
  // A reissue holds only while the certificates it supersedes are all still active
  // (a renewal or revocation committed meanwhile makes it a conflict, nothing applied).
  const guard = active.length ? allStillActive(active) : undefined;
  const client = await issueWithServerKey(ctx, { ...base, kind: "client", authenticator: true }, guard);
  const server = await issueWithServerKey(ctx, { ...base, kind: "server" }, guard);
  await commitGuarded(
    ctx,
    [
      ...client.statements,
      ...server.statements,
      ...(active.length ? revocationStatements(ctx, active, "superseded") : []),
    ],
    {
      action: revokeFirst ? "certificate.reissue" : "certificate.issue",
      targetType: "host",
      targetId: hostId,
      detail: { serials: [client.row.serial, server.row.serial], revoked: active.length },
    },
    () => new DomainError("common.conflict", "The host's certificates changed meanwhile; try again"),
  );
  if (active.length) await endHostConnections(ctx, hostId, active, "certificate superseded");
  return { client, server, chain: client.chain };
}

/** `POST /certificates/{id}/renew` (admin): same host and name, new server-made key. */
export async function renewCertificateForAdmin(ctx: DomainContext, certId: string) {
  const current = await getCertificate(ctx, certId);
  if (!current.hostId) throw new DomainError("common.validation", "Only host certificates can be renewed here");
  return issueHostCertificate(ctx, current.hostId, current.commonName);
}

/** The latest active non-session certificate of a host (`GET /hosts/{id}/client.crt`). */
export async function latestHostCertificate(ctx: DomainContext, hostId: string) {
  await hostOf(ctx, hostId);
  const rows = await ctx.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.hostId, hostId), inArray(certificates.kind, ["client", "server"])))
    .all();
  const now = ctx.now();
  return rows.filter((r) => statusOf(r, now) === "active").sort((a, b) => b.createdAt - a.createdAt)[0];
}
