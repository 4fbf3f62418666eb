import {
  decrypt,
  encrypt,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  totpUri,
  verifyTotp,
} from "@fleetgate/auth";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { mfa, recoveryCodes } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { closeLiveSockets, endSessionsStatements } from "./session-revocation";

/** Issuer shown in authenticator apps. */
export const TOTP_ISSUER = "Fleetgate";
/** Fresh recovery codes stay readable (encrypted) this long; afterwards only hashes remain. */
const REVEAL_MS = 10 * 60 * 1000;
const SECRET_AAD = "totp";
const REVEAL_AAD = "recovery-reveal";

export type MfaRow = typeof mfa.$inferSelect;

export async function mfaRecord(ctx: DomainContext, identityId: string): Promise<MfaRow | undefined> {
  return ctx.db.select().from(mfa).where(eq(mfa.identityId, identityId)).get();
}

export async function isMfaEnabled(ctx: DomainContext, identityId: string): Promise<boolean> {
  const row = await mfaRecord(ctx, identityId);
  return row?.verified === true;
}

async function secretOf(ctx: DomainContext, row: MfaRow): Promise<string> {
  const secret = await decrypt(ctx.keys.data, row.secretEnc, `${SECRET_AAD}:${row.identityId}`);
  if (!secret) throw new Error("TOTP secret could not be decrypted (MASTER_KEY changed?)");
  return secret;
}

/**
 * Accepts a TOTP code (RFC 6238, ±1 step) or an unused recovery code. A TOTP
 * step is consumed with a conditional UPDATE, so a code works once even under
 * concurrent requests (RFC 6238 §5.2); a recovery code likewise.
 */
export async function checkSecondFactor(ctx: DomainContext, identityId: string, code: string): Promise<boolean> {
  const row = await mfaRecord(ctx, identityId);
  if (!row) return false;
  return consumeCode(ctx, row, code);
}

async function consumeCode(ctx: DomainContext, row: MfaRow, code: string): Promise<boolean> {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    const result = verifyTotp(await secretOf(ctx, row), trimmed, { now: ctx.now(), lastStep: row.lastStep });
    if (!result.ok) return false;
    const res = await ctx.db
      .update(mfa)
      .set({ lastStep: result.step, updatedAt: ctx.now() })
      .where(and(eq(mfa.identityId, row.identityId), lt(mfa.lastStep, result.step)))
      .run();
    return res.meta.changes === 1;
  }
  if (!row.verified) return false;
  const hash = await hashRecoveryCode(trimmed);
  const res = await ctx.db
    .update(recoveryCodes)
    .set({ usedAt: ctx.now() })
    .where(
      and(eq(recoveryCodes.identityId, row.identityId), eq(recoveryCodes.codeHash, hash), isNull(recoveryCodes.usedAt)),
    )
    .run();
  return res.meta.changes === 1;
}

async function recoveryStatements(ctx: DomainContext, identityId: string, codes: string[]) {
  const now = ctx.now();
  const hashes = await Promise.all(codes.map(hashRecoveryCode));
  return [
    ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.identityId, identityId)),
    ...hashes.map((codeHash) =>
      ctx.db.insert(recoveryCodes).values({ id: newId(), identityId, codeHash, createdAt: now }),
    ),
  ];
}

/** Native setup step: a fresh secret and its otpauth URI; nothing is stored until verified. */
export function newTotpSetup(accountName: string) {
  const secret = generateTotpSecret();
  return { secret, uri: totpUri({ issuer: TOTP_ISSUER, account: accountName, secret }) };
}

/** Native verify: proves the client holds `secret`, stores it encrypted and issues 10 recovery codes. */
export async function enableMfaWithSecret(ctx: DomainContext, identityId: string, secret: string, code: string) {
  const existing = await mfaRecord(ctx, identityId);
  if (existing?.verified) throw new DomainError("mfa.already_enrolled");
  if (!/^[A-Z2-7]{16,64}=*$/.test(secret)) throw new DomainError("mfa.invalid_code");
  const check = verifyTotp(secret, code.trim(), { now: ctx.now(), lastStep: 0 });
  if (!check.ok) throw new DomainError("mfa.invalid_code");
  const codes = generateRecoveryCodes(10);
  const now = ctx.now();
  await commitAudited(
    ctx,
    [
      ctx.db.delete(mfa).where(eq(mfa.identityId, identityId)),
      ctx.db.insert(mfa).values({
        identityId,
        id: newId(),
        secretEnc: await encrypt(ctx.keys.data, secret, `${SECRET_AAD}:${identityId}`),
        verified: true,
        lastStep: check.step,
        createdAt: now,
        updatedAt: now,
      }),
      ...(await recoveryStatements(ctx, identityId, codes)),
    ],
    { action: "mfa.enable", targetType: "identity", targetId: identityId },
  );
  return codes;
}

/** Ziti `POST /current-identity/mfa`: an unverified enrollment with secret and (revealable) recovery codes. */
export async function startMfaEnrollment(ctx: DomainContext, identityId: string) {
  if (await mfaRecord(ctx, identityId)) throw new DomainError("mfa.already_enrolled");
  const secret = generateTotpSecret();
  const codes = generateRecoveryCodes(10);
  const now = ctx.now();
  const id = newId();
  await commitAudited(
    ctx,
    [
      ctx.db.insert(mfa).values({
        identityId,
        id,
        secretEnc: await encrypt(ctx.keys.data, secret, `${SECRET_AAD}:${identityId}`),
        verified: false,
        revealEnc: await encrypt(ctx.keys.data, JSON.stringify(codes), `${REVEAL_AAD}:${identityId}`),
        revealUntil: null,
        createdAt: now,
        updatedAt: now,
      }),
      ...(await recoveryStatements(ctx, identityId, codes)),
    ],
    { action: "mfa.enroll_start", targetType: "identity", targetId: identityId },
  );
  return id;
}

/** The enrollment as a client may see it: provisioning URL and codes only while unverified / within the reveal window. */
export async function mfaDetail(ctx: DomainContext, identityId: string, accountName: string) {
  const row = await mfaRecord(ctx, identityId);
  if (!row) return undefined;
  const visible = !row.verified;
  return {
    id: row.id,
    isVerified: row.verified,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    provisioningUrl: visible
      ? totpUri({ issuer: TOTP_ISSUER, account: accountName, secret: await secretOf(ctx, row) })
      : undefined,
    recoveryCodes: visible ? await revealed(ctx, row, true) : undefined,
  };
}

async function revealed(ctx: DomainContext, row: MfaRow, ignoreWindow = false): Promise<string[]> {
  if (!row.revealEnc) return [];
  if (!ignoreWindow && (row.revealUntil === null || row.revealUntil <= ctx.now())) return [];
  const plain = await decrypt(ctx.keys.data, row.revealEnc, `${REVEAL_AAD}:${row.identityId}`);
  return plain ? (JSON.parse(plain) as string[]) : [];
}

/** Ziti `POST /current-identity/mfa/verify`. */
export async function verifyMfaEnrollment(ctx: DomainContext, identityId: string, code: string) {
  const row = await mfaRecord(ctx, identityId);
  if (!row) throw new DomainError("mfa.not_started");
  if (row.verified) throw new DomainError("mfa.already_enrolled");
  if (!(await consumeCode(ctx, row, code))) throw new DomainError("mfa.invalid_code");
  await commitAudited(
    ctx,
    [
      ctx.db
        .update(mfa)
        .set({ verified: true, revealUntil: ctx.now() + REVEAL_MS, updatedAt: ctx.now() })
        .where(eq(mfa.identityId, identityId)),
    ],
    { action: "mfa.enable", targetType: "identity", targetId: identityId },
  );
}

/** Recovery codes readable now (right after enrollment or regeneration), else an empty list. */
export async function readRecoveryCodes(ctx: DomainContext, identityId: string): Promise<string[]> {
  const row = await mfaRecord(ctx, identityId);
  if (!row) throw new DomainError("mfa.not_enrolled");
  return revealed(ctx, row, !row.verified);
}

/** Replaces all recovery codes; the new ones are readable for 10 minutes. */
export async function regenerateRecoveryCodes(ctx: DomainContext, identityId: string): Promise<string[]> {
  const row = await mfaRecord(ctx, identityId);
  if (!row?.verified) throw new DomainError("mfa.not_enrolled");
  const codes = generateRecoveryCodes(10);
  await commitAudited(
    ctx,
    [
      ...(await recoveryStatements(ctx, identityId, codes)),
      ctx.db
        .update(mfa)
        .set({
          revealEnc: await encrypt(ctx.keys.data, JSON.stringify(codes), `${REVEAL_AAD}:${identityId}`),
          revealUntil: ctx.now() + REVEAL_MS,
          updatedAt: ctx.now(),
        })
        .where(eq(mfa.identityId, identityId)),
    ],
    { action: "mfa.recovery_codes_regenerate", targetType: "identity", targetId: identityId },
  );
  return codes;
}

/**
 * Removes MFA (the caller has already checked the password or a code, or is an
 * admin). An admin reset (`endSessions`) also ends the identity's sessions:
 * whoever holds them may be the reason the factor is being reset — and closes
 * its live sockets.
 */
export async function disableMfa(
  ctx: DomainContext,
  identityId: string,
  opts: { endSessions?: boolean } = {},
): Promise<void> {
  const row = await mfaRecord(ctx, identityId);
  if (!row) throw new DomainError("mfa.not_enrolled");
  await commitAudited(
    ctx,
    [
      ctx.db.delete(mfa).where(eq(mfa.identityId, identityId)),
      ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.identityId, identityId)),
      ...(opts.endSessions ? endSessionsStatements(ctx, identityId, ctx.now()) : []),
    ],
    { action: opts.endSessions ? "mfa.reset" : "mfa.disable", targetType: "identity", targetId: identityId },
  );
  if (opts.endSessions) await closeLiveSockets(ctx, { identityId }, "mfa reset");
}

/** Cron: drop revealable plaintext copies whose window is over. */
export async function expireRecoveryReveals(ctx: DomainContext) {
  await ctx.db
    .update(mfa)
    .set({ revealEnc: null, revealUntil: null })
    .where(and(eq(mfa.verified, true), gt(mfa.revealUntil, 0), lt(mfa.revealUntil, ctx.now())))
    .run();
}
