import { asc, eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { forgetOidcProvider, isAllowedIssuerUrl, loadOidcProvider } from "../external-jwt/oidc-provider";
import { findIdentity } from "../identity/users.service";
import { tokenIssuers } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { conditionProblem } from "./condition";

export type TokenIssuerRow = typeof tokenIssuers.$inferSelect;

export interface TokenIssuerInput {
  name: string;
  description: string;
  issuerUri: string;
  audience: string;
  condition: string;
  maxValidity: number;
  serviceAccountId: string;
}

/**
 * Issuer identifiers (OpenID Connect Discovery 1.0 §3): https with no query or
 * fragment; plain http only on loopback for local development and tests. The
 * string is stored exactly as given, since `iss` must equal it exactly.
 */
export function issuerUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "issuer_uri must be an absolute URL";
  }
  if (!isAllowedIssuerUrl(url)) return "issuer_uri must use https (plain http only for 127.0.0.0/8, ::1 or localhost)";
  if (url.username || url.password) return "issuer_uri must not contain credentials";
  if (url.search || url.hash || uri.includes("?") || uri.includes("#"))
    return "issuer_uri must not have a query or fragment";
  return undefined;
}

async function validate(ctx: DomainContext, next: TokenIssuerInput, previous: TokenIssuerRow | undefined) {
  const uriProblem = issuerUriProblem(next.issuerUri);
  if (uriProblem) throw new DomainError("common.validation", uriProblem);
  const cel = conditionProblem(next.condition);
  if (cel) throw new DomainError("common.validation", `condition: ${cel}`);
  if (previous?.serviceAccountId !== next.serviceAccountId) {
    const sa = await findIdentity(ctx, next.serviceAccountId);
    if (sa?.kind !== "service")
      throw new DomainError("common.validation", "service_account_id must name an existing service account");
  }
  if (previous?.issuerUri !== next.issuerUri) {
    // As Zentral does: an issuer is only saved if its discovery document can be read.
    forgetOidcProvider(next.issuerUri);
    const provider = await loadOidcProvider(next.issuerUri, ctx.now());
    if (!provider.ok)
      throw new DomainError("common.validation", `Could not find valid OpenID configuration (${provider.reason})`);
  }
}

export async function listTokenIssuers(ctx: DomainContext): Promise<TokenIssuerRow[]> {
  return ctx.db.select().from(tokenIssuers).orderBy(asc(tokenIssuers.name)).all();
}

export async function findTokenIssuer(ctx: DomainContext, id: string): Promise<TokenIssuerRow | undefined> {
  return ctx.db.select().from(tokenIssuers).where(eq(tokenIssuers.id, id)).get();
}

export async function getTokenIssuer(ctx: DomainContext, id: string): Promise<TokenIssuerRow> {
  const row = await findTokenIssuer(ctx, id);
  if (!row) throw new DomainError("common.not_found", "Token issuer not found");
  return row;
}

const auditable = (r: TokenIssuerInput) => ({
  name: r.name,
  issuer_uri: r.issuerUri,
  audience: r.audience,
  condition: r.condition,
  max_validity: r.maxValidity,
  service_account_id: r.serviceAccountId,
});

const conflict = (err: unknown) => {
  if (/UNIQUE constraint failed/i.test(String(err)))
    return new DomainError("common.conflict", "Token issuer name already exists");
  return err;
};

/** Creates an issuer after checking the URI, the CEL condition, the service account and the discovery document. */
export async function createTokenIssuer(ctx: DomainContext, input: TokenIssuerInput): Promise<TokenIssuerRow> {
  await validate(ctx, input, undefined);
  const now = ctx.now();
  const row: TokenIssuerRow = { id: newId(), ...input, createdAt: now, updatedAt: now };
  try {
    await commitAudited(ctx, [ctx.db.insert(tokenIssuers).values(row)], {
      action: "token_issuer.create",
      targetType: "token_issuer",
      targetId: row.id,
      detail: auditable(row),
    });
  } catch (err) {
    throw conflict(err);
  }
  return row;
}

/** Replaces (PUT) or patches (PATCH) an issuer; only changed fields are re-validated against the network. */
export async function updateTokenIssuer(
  ctx: DomainContext,
  id: string,
  change: Partial<TokenIssuerInput>,
): Promise<TokenIssuerRow> {
  const prev = await getTokenIssuer(ctx, id);
  const next: TokenIssuerRow = { ...prev, ...change, updatedAt: ctx.now() };
  await validate(ctx, next, prev);
  const changed = (Object.keys(change) as (keyof TokenIssuerInput)[]).filter((k) => prev[k] !== next[k]);
  try {
    await commitAudited(ctx, [ctx.db.update(tokenIssuers).set(next).where(eq(tokenIssuers.id, id))], {
      action: "token_issuer.update",
      targetType: "token_issuer",
      targetId: id,
      detail: { changed, ...auditable(next) },
    });
  } catch (err) {
    throw conflict(err);
  }
  return next;
}

export async function deleteTokenIssuer(ctx: DomainContext, id: string): Promise<void> {
  const row = await getTokenIssuer(ctx, id);
  await commitAudited(ctx, [ctx.db.delete(tokenIssuers).where(eq(tokenIssuers.id, id))], {
    action: "token_issuer.delete",
    targetType: "token_issuer",
    targetId: id,
    detail: { name: row.name },
  });
}
