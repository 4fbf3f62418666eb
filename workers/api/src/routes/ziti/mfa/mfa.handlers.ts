import { qrPng } from "@fleetgate/auth";
import {
  disableMfa,
  hit,
  type MfaRow,
  mfaDetail,
  mfaRecord,
  readRecoveryCodes,
  regenerateRecoveryCodes,
  requireMfaCode,
  startMfaEnrollment,
  verifyMfaEnrollment,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, EMPTY, link } from "../envelope";
import { Z } from "../errors";
import { currentIdentityRow } from "../ziti-auth";
import type {
  createMfaRecoveryCodes,
  deleteMfa,
  detailMfa,
  detailMfaQrCode,
  detailMfaRecoveryCodes,
  enrollMfa,
  verifyMfa,
} from "./mfa.routes";

const SELF = "./current-identity/mfa";

/** The enrollment's links: verify/qr while unverified, recovery-codes afterwards (controller's link factory). */
function mfaLinks(verified: boolean) {
  return {
    self: link(SELF),
    "current-identity": link("./current-identity"),
    ...(verified
      ? { "recovery-codes": link(`${SELF}/recovery-codes`) }
      : { verify: link(`${SELF}/verify`), qr: link(`${SELF}/qr-code`) }),
  };
}

const mfaBase = (row: Pick<MfaRow, "id" | "createdAt" | "updatedAt" | "verified">) =>
  baseEntity(row.id, row.createdAt, row.updatedAt, mfaLinks(row.verified));

/** Enrollment attempts share the native face's per-identity budget (code checks count it in the domain). */
const limitMfa = async (c: Context<AppEnv>, identityId: string) =>
  hit(await domain(c), `mfa:user:${identityId}`, 10, 60);

/** A verified enrollment or 404 (recovery-code routes exist only after verification). */
async function verifiedRecord(c: Context<AppEnv>, identityId: string): Promise<MfaRow> {
  const row = await mfaRecord(await domain(c), identityId);
  if (!row?.verified) throw Z.notFound();
  return row;
}

/** `mfa-validation-code` header, else a JSON `{code}` body (clients send either, even on GET). */
async function validationCode(c: Context<AppEnv>, header: string | undefined): Promise<string> {
  if (header !== undefined) return header;
  try {
    const body = (await c.req.raw.clone().json()) as { code?: unknown } | null;
    return typeof body?.code === "string" ? body.code : "";
  } catch {
    return "";
  }
}

export const detailMfaHandler: RouteHandler<typeof detailMfa, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const detail = await mfaDetail(await domain(c), me.id, me.name);
  if (!detail) throw Z.notFound();
  return c.json(
    {
      data: {
        ...baseEntity(detail.id, detail.createdAt, detail.updatedAt, mfaLinks(detail.isVerified)),
        isVerified: detail.isVerified,
        ...(detail.isVerified ? {} : { provisioningUrl: detail.provisioningUrl, recoveryCodes: detail.recoveryCodes }),
      },
      meta: {},
    },
    200,
  );
};

export const enrollMfaHandler: RouteHandler<typeof enrollMfa, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const id = await startMfaEnrollment(await domain(c), me.id);
  return c.json({ data: { id, _links: { self: link(SELF) } }, meta: {} }, 201);
};

export const detailMfaQrCodeHandler: RouteHandler<typeof detailMfaQrCode, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const detail = await mfaDetail(await domain(c), me.id, me.name);
  if (!detail || detail.isVerified || !detail.provisioningUrl) throw Z.notFound();
  const png = await qrPng(detail.provisioningUrl, 256);
  return c.body(png.slice().buffer, 200, { "content-type": "image/png" });
};

export const verifyMfaHandler: RouteHandler<typeof verifyMfa, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  const row = await mfaRecord(ctx, me.id);
  if (!row) throw Z.mfaEnrollmentNotStarted();
  // The controller answers 404 for an enrollment that is already verified.
  if (row.verified) throw Z.notFound();
  await limitMfa(c, me.id);
  await verifyMfaEnrollment(ctx, me.id, c.req.valid("json").code);
  return c.json(EMPTY, 200);
};

export const deleteMfaHandler: RouteHandler<typeof deleteMfa, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  const row = await mfaRecord(ctx, me.id);
  if (!row) throw Z.notFound();
  if (row.verified) {
    const code = await validationCode(c, c.req.valid("header")["mfa-validation-code"]);
    await requireMfaCode(ctx, me.id, code);
  }
  await disableMfa(ctx, me.id);
  return c.json(EMPTY, 200);
};

export const detailMfaRecoveryCodesHandler: RouteHandler<typeof detailMfaRecoveryCodes, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const row = await verifiedRecord(c, me.id);
  const code = (await validationCode(c, c.req.valid("header")["mfa-validation-code"])).trim();
  // Viewing the codes takes a TOTP code, never a recovery code (which would be spent).
  if (!/^\d{6}$/.test(code)) throw Z.mfaInvalidToken(401);
  const ctx = await domain(c);
  await requireMfaCode(ctx, me.id, code);
  const recoveryCodes = await readRecoveryCodes(ctx, me.id);
  return c.json({ data: { ...mfaBase(row), recoveryCodes }, meta: {} }, 200);
};

export const createMfaRecoveryCodesHandler: RouteHandler<typeof createMfaRecoveryCodes, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  await verifiedRecord(c, me.id);
  const ctx = await domain(c);
  await requireMfaCode(ctx, me.id, c.req.valid("json").code);
  await regenerateRecoveryCodes(ctx, me.id);
  return c.json(EMPTY, 200);
};
