import { randomBytes, sha256Hex, toBase64Url } from "@fleetgate/auth";
import { sql } from "drizzle-orm";
import { audit } from "../audit/audit.service";
import { isMfaEnabled } from "../identity/mfa.service";
import { findIdentity, type IdentityRow } from "../identity/users.service";
import { nonces } from "../schema";
import type { DomainContext } from "../shared/context";

/**
 * Device authorization (RFC 8628 style) for the CLI: `fleetgate login --sso`
 * asks for a device code, shows the user code and the dashboard URL
 * (`/app/device`), and polls; a user signed in to the dashboard (by SSO or
 * password) approves or denies the code; the next poll gets that user's
 * session. Rows live in `nonces`, keyed by SHA-256 (neither code is stored in
 * clear): `device:<hash(device_code)>` holds the state as JSON, and
 * `device-user:<hash(user_code)>` points at it. Approval consumes the user
 * code (`DELETE … RETURNING`), the token poll consumes the approved device row
 * the same way: of concurrent polls exactly one gets the tokens.
 */
export const DEVICE_CODE_TTL_MS = 10 * 60_000;
export const DEVICE_POLL_INTERVAL_S = 5;
const DEVICE_PREFIX = "device:";
const USER_PREFIX = "device-user:";
/** No vowels (no words), no 0/O/1/I look-alikes: 20^8 ≈ 2.6e10 codes, valid 10 minutes, rate-limited. */
const USER_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";

interface DeviceState {
  status: "pending" | "approved" | "denied";
  client: string;
  /** Where the CLI asked from and when (shown on the approval page). */
  ip?: string;
  requested_at?: number;
  interval: number;
  last_poll: number;
  identity?: string;
}

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

function newUserCode(): string {
  const bytes = randomBytes(8);
  let out = "";
  for (const b of bytes) out += USER_ALPHABET[b % USER_ALPHABET.length];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** Case, spaces and dashes do not matter when a user types the code. */
export const normalizeUserCode = (code: string) => code.toUpperCase().replace(/[^A-Z]/g, "");

export async function startDeviceAuthorization(ctx: DomainContext, client: string): Promise<DeviceAuthorization> {
  const deviceCode = toBase64Url(randomBytes(32));
  const userCode = newUserCode();
  const now = ctx.now();
  const expiresAt = now + DEVICE_CODE_TTL_MS;
  const deviceKey = `${DEVICE_PREFIX}${await sha256Hex(deviceCode)}`;
  const state: DeviceState = {
    status: "pending",
    client,
    ip: ctx.sourceIp,
    requested_at: now,
    interval: DEVICE_POLL_INTERVAL_S,
    last_poll: 0,
  };
  await ctx.db.batch([
    ctx.db.insert(nonces).values({ key: deviceKey, expiresAt, value: JSON.stringify(state) }),
    ctx.db.insert(nonces).values({ key: await userKey(normalizeUserCode(userCode)), expiresAt, value: deviceKey }),
  ]);
  const uri = `${ctx.issuer}/app/device`;
  return {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: uri,
    verification_uri_complete: `${uri}?user_code=${encodeURIComponent(userCode)}`,
    expires_in: DEVICE_CODE_TTL_MS / 1000,
    interval: DEVICE_POLL_INTERVAL_S,
  };
}

const userKey = async (normalized: string) => `${USER_PREFIX}${await sha256Hex(normalized)}`;

export interface DeviceRequest {
  client: string;
  ip: string | null;
  requestedAt: number | null;
  expiresAt: number;
}

/**
 * What a pending user code stands for (client name, source address, times),
 * for the approval page to show before the user decides; nothing is consumed.
 * An unknown, expired, used or already decided code is `undefined`.
 */
export async function describeDeviceAuthorization(
  ctx: DomainContext,
  userCode: string,
): Promise<DeviceRequest | undefined> {
  const normalized = normalizeUserCode(userCode);
  if (normalized.length !== 8) return undefined;
  const now = ctx.now();
  const row = await ctx.db.get<{ expires_at: number; value: string } | undefined>(
    sql`SELECT d.expires_at, d.value FROM nonces u JOIN nonces d ON d.key = u.value
        WHERE u.key = ${await userKey(normalized)} AND u.expires_at > ${now} AND d.expires_at > ${now}`,
  );
  if (!row) return undefined;
  const state = JSON.parse(row.value) as DeviceState;
  if (state.status !== "pending") return undefined;
  return {
    client: state.client,
    ip: state.ip ?? null,
    requestedAt: state.requested_at ?? null,
    expiresAt: row.expires_at,
  };
}

/**
 * A signed-in user approves (or denies) a user code. The user code works
 * once; an unknown, expired or used code is `false`. Audited either way.
 */
export async function decideDeviceAuthorization(
  ctx: DomainContext,
  userCode: string,
  approve: boolean,
): Promise<boolean> {
  const actor = ctx.actor;
  const normalized = normalizeUserCode(userCode);
  let ok = false;
  if (actor && normalized.length === 8) {
    const pointer = await ctx.db.get<{ expires_at: number; value: string | null } | undefined>(
      sql`DELETE FROM nonces WHERE key = ${await userKey(normalized)} RETURNING expires_at, value`,
    );
    if (pointer?.value && pointer.expires_at > ctx.now()) {
      // Only a pending device row changes (never an approved one re-pointed to another user).
      const changed = await ctx.db.get<{ key: string } | undefined>(
        sql`UPDATE nonces SET value = json_set(value, '$.status', ${approve ? "approved" : "denied"}, '$.identity', ${actor.id})
            WHERE key = ${pointer.value} AND expires_at > ${ctx.now()} AND json_extract(value, '$.status') = 'pending'
            RETURNING key`,
      );
      ok = changed !== undefined;
    }
  }
  await audit(ctx, {
    action: approve ? "auth.device_approve" : "auth.device_deny",
    targetType: "device_authorization",
    outcome: ok ? "success" : "failure",
  });
  return ok;
}

export type DevicePoll =
  | { status: "authorization_pending" | "slow_down" | "access_denied" | "expired_token" }
  | { status: "approved"; identity: IdentityRow; mfaEnabled: boolean };

/**
 * One poll of the CLI. Polling faster than the interval answers `slow_down`
 * and adds 5 s to it (RFC 8628 §3.5); an approved code is consumed by the
 * poll that gets it.
 */
export async function pollDeviceAuthorization(ctx: DomainContext, deviceCode: string): Promise<DevicePoll> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(deviceCode)) return { status: "expired_token" };
  const key = `${DEVICE_PREFIX}${await sha256Hex(deviceCode)}`;
  const now = ctx.now();
  const approved = await ctx.db.get<{ expires_at: number; value: string } | undefined>(
    sql`DELETE FROM nonces WHERE key = ${key} AND json_extract(value, '$.status') IN ('approved', 'denied')
        RETURNING expires_at, value`,
  );
  if (approved) {
    const state = JSON.parse(approved.value) as DeviceState;
    if (approved.expires_at <= now) return { status: "expired_token" };
    if (state.status === "denied" || !state.identity) return { status: "access_denied" };
    const identity = await findIdentity(ctx, state.identity);
    if (!identity || identity.disabled) return { status: "access_denied" };
    await audit(ctx, {
      action: "auth.device_login",
      targetType: "identity",
      targetId: identity.id,
      detail: { client: state.client },
    });
    return { status: "approved", identity, mfaEnabled: await isMfaEnabled(ctx, identity.id) };
  }
  // Pending: record this poll; a poll sooner than the interval slows the client down.
  const cur = await ctx.db.get<{ expires_at: number; value: string } | undefined>(
    sql`SELECT expires_at, value FROM nonces WHERE key = ${key}`,
  );
  if (!cur || cur.expires_at <= now) return { status: "expired_token" };
  const state = JSON.parse(cur.value) as DeviceState;
  const tooFast = state.last_poll > 0 && now - state.last_poll < state.interval * 1000;
  const interval = tooFast ? state.interval + 5 : state.interval;
  await ctx.db.run(
    sql`UPDATE nonces SET value = json_set(value, '$.last_poll', ${now}, '$.interval', ${interval})
        WHERE key = ${key} AND json_extract(value, '$.status') = 'pending'`,
  );
  return { status: tooFast ? "slow_down" : "authorization_pending" };
}
