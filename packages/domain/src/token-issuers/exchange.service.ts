import { OIDC_LEEWAY_SECONDS, type OidcCheck, sha256Hex } from "@fleetgate/auth";
import { sql } from "drizzle-orm";
import { audit } from "../audit/audit.service";
import { verifyExternalJwt } from "../external-jwt/verify";
import { type ApiTokenView, createApiToken } from "../identity/api-tokens.service";
import { findIdentity, type IdentityRow } from "../identity/users.service";
import { log } from "../log";
import { addressKey } from "../shared/address-key";
import type { DomainContext } from "../shared/context";
import { hit } from "../shared/rate-limit";
import { evaluateCondition } from "./condition";
import { identityNumber } from "./identity-numbers";
import type { TokenIssuerRow } from "./token-issuers.service";

/** Why a JWT was refused; each maps to one of Zentral's exact messages (zentral.md §4). */
export type JwtRefusal =
  | "invalid_token"
  | "invalid_claims"
  | "condition_error"
  | "condition_not_boolean"
  | "no_condition";

export interface ExchangeRequest {
  /** Undefined when the face already refused the field (type error): it is then not verified. */
  jwt: string | undefined;
  name: string;
  /** Seconds; undefined = the issuer's max_validity. */
  validity: number | undefined;
  /** True when the face found other field errors: everything is still validated, nothing is minted. */
  blocked: boolean;
  /** Exchanges per issuer per minute. */
  rateLimitPerMinute: number;
}

export type ExchangeOutcome =
  | {
      ok: true;
      token: ApiTokenView;
      secret: string;
      user: { number: number; username: string; email: string };
    }
  | { ok: false; errors: { jwt?: JwtRefusal; validity?: { max: number } } };

interface Verdict {
  checks: OidcCheck[];
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  /** Undefined when every check passed. */
  refusal: JwtRefusal | undefined;
  replayKey: string | undefined;
  replayUntil: number;
}

/** Signature, claims and condition of `jwt` against `issuer`; no side effects. */
async function judge(ctx: DomainContext, issuer: TokenIssuerRow, jwt: string): Promise<Verdict> {
  const report = await verifyExternalJwt({
    token: jwt,
    provider: issuer.issuerUri,
    issuer: issuer.issuerUri,
    audience: issuer.audience,
    now: ctx.now(),
  });
  const checks: OidcCheck[] = [...report.checks];
  if (!report.checks[0]?.ok)
    return { checks, header: null, claims: null, refusal: "invalid_token", replayKey: undefined, replayUntil: 0 };
  const claims = report.claims as Record<string, unknown> | null;
  const base = { checks, header: report.header, claims };
  if (!report.ok || !claims) return { ...base, refusal: "invalid_token", replayKey: undefined, replayUntil: 0 };

  let refusal: JwtRefusal | undefined;
  if (!issuer.condition) {
    refusal = "no_condition";
    checks.push({ check: "condition", ok: false, detail: "the issuer has no CEL condition" });
  } else {
    const out = evaluateCondition(issuer.condition, claims);
    if (out.kind === "error") {
      refusal = "condition_error";
      checks.push({ check: "condition", ok: false, detail: `evaluation error: ${out.message}` });
    } else if (out.kind === "not_boolean") {
      refusal = "condition_not_boolean";
      checks.push({ check: "condition", ok: false, detail: "did not produce a boolean", value: out.value });
    } else {
      if (!out.value) refusal = "invalid_claims";
      checks.push({ check: "condition", ok: out.value, detail: out.value ? "true" : "false", value: out.value });
    }
  }
  // Single use: the jti (or, without one, the token itself) is remembered until exp + leeway.
  const jti = typeof claims.jti === "string" && claims.jti !== "" ? `jti:${claims.jti}` : `jwt:${jwt}`;
  const replayKey = `oidc-exchange:${issuer.id}:${await sha256Hex(jti)}`;
  const replayUntil = ((claims.exp as number) + OIDC_LEEWAY_SECONDS) * 1000;
  return { ...base, refusal, replayKey, replayUntil };
}

async function usableServiceAccount(ctx: DomainContext, issuer: TokenIssuerRow): Promise<IdentityRow | undefined> {
  const sa = await findIdentity(ctx, issuer.serviceAccountId);
  return sa && sa.kind === "service" && !sa.disabled ? sa : undefined;
}

const failedChecks = (v: Verdict) => v.checks.filter((c) => !c.ok).map((c) => c.check);

/**
 * CI token exchange (zentral.md §4 `POST …/oidc/<id>/auth/`): verifies the JWT
 * against the issuer, evaluates its condition, refuses a replayed jti, and
 * mints a `ztls_` token for the issuer's service account, audited. Refusals
 * are values: the face renders Zentral's field-error map.
 */
export async function exchangeOidcToken(
  ctx: DomainContext,
  issuer: TokenIssuerRow,
  req: ExchangeRequest,
): Promise<ExchangeOutcome> {
  // Before any verification work: per source network (IPv6 /64), so nobody can
  // spend another network's budget, nor the issuer's, with unverifiable tokens.
  await hit(ctx, `oidc-exchange:${issuer.id}:net:${addressKey(ctx.sourceIp)}`, req.rateLimitPerMinute, 60);
  const errors: { jwt?: JwtRefusal; validity?: { max: number } } = {};
  if (req.validity !== undefined && req.validity > issuer.maxValidity) errors.validity = { max: issuer.maxValidity };

  let verdict: Verdict | undefined;
  if (req.jwt !== undefined) {
    verdict = await judge(ctx, issuer, req.jwt);
    if (verdict.refusal) errors.jwt = verdict.refusal;
  }
  const deny = async (reason: string[]) => {
    log("info", "token exchange refused", { requestId: ctx.requestId, issuerId: issuer.id, reason });
    await audit(ctx, {
      action: "token_issuer.exchange",
      outcome: "denied",
      targetType: "token_issuer",
      targetId: issuer.id,
      detail: { reason, sub: typeof verdict?.claims?.sub === "string" ? verdict.claims.sub : null },
    });
  };
  if (errors.jwt || errors.validity || req.blocked || !verdict) {
    if (verdict?.refusal) await deny(failedChecks(verdict));
    return { ok: false, errors };
  }

  // Only tokens that passed every check count against the issuer as a whole.
  await hit(ctx, `oidc-exchange:${issuer.id}`, req.rateLimitPerMinute, 60);
  const sa = await usableServiceAccount(ctx, issuer);
  if (!sa) {
    await deny(["service_account"]);
    return { ok: false, errors: { jwt: "invalid_token" } };
  }
  // Consume the jti only now, when the token will be minted: a refused request does not burn it.
  const fresh = await ctx.db.get<{ key: string } | undefined>(sql`
    INSERT INTO nonces (key, expires_at) VALUES (${verdict.replayKey}, ${verdict.replayUntil})
    ON CONFLICT(key) DO NOTHING RETURNING key`);
  if (!fresh) {
    await deny(["jti_replay"]);
    return { ok: false, errors: { jwt: "invalid_token" } };
  }

  const claims = verdict.claims ?? {};
  ctx.actor = { id: sa.id, name: sa.name, credentialId: null };
  const validity = req.validity ?? issuer.maxValidity;
  const minted = await createApiToken(ctx, sa, {
    name: req.name,
    expiresAt: ctx.now() + validity * 1000,
    issuerId: issuer.id,
    auditDetail: {
      via: "oidc_exchange",
      issuer_id: issuer.id,
      issuer_name: issuer.name,
      sub: typeof claims.sub === "string" ? claims.sub : null,
      jti: typeof claims.jti === "string" ? claims.jti : null,
      validity,
    },
  });
  return {
    ok: true,
    token: minted.token,
    secret: minted.secret,
    user: { number: await identityNumber(ctx, sa.id), username: sa.name, email: sa.email ?? "" },
  };
}

export interface ExplainReport {
  wouldMint: boolean;
  checks: OidcCheck[];
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
}

/**
 * Runs every exchange check on `jwt` without minting or consuming anything,
 * and reports each one (signature, iss, aud, exp/nbf/iat, key size, the
 * condition and its value, jti reuse, the service account).
 */
export async function explainOidcToken(
  ctx: DomainContext,
  issuer: TokenIssuerRow,
  jwt: string,
): Promise<ExplainReport> {
  const verdict = await judge(ctx, issuer, jwt);
  const checks = [...verdict.checks];
  if (verdict.replayKey) {
    const used = await ctx.db.get<{ key: string } | undefined>(
      sql`SELECT key FROM nonces WHERE key = ${verdict.replayKey} AND expires_at >= ${ctx.now()}`,
    );
    checks.push({
      check: "jti",
      ok: !used,
      detail: used ? "this token was already exchanged" : "not exchanged yet",
      ...(typeof verdict.claims?.jti === "string" ? { value: verdict.claims.jti } : {}),
    });
  }
  const sa = await usableServiceAccount(ctx, issuer);
  checks.push({
    check: "service_account",
    ok: sa !== undefined,
    detail: sa ? `mints for ${sa.name}` : "the service account is missing or disabled",
  });
  return { wouldMint: checks.every((c) => c.ok), checks, header: verdict.header, claims: verdict.claims };
}
