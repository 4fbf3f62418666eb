import { generateZtlToken, hashApiToken } from "@fleetgate/auth";
import { and, desc, eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { CredentialKind } from "../principal";
import { apiTokens } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { closeLiveSockets, tokenSession } from "./session-revocation";
import type { IdentityRow } from "./users.service";

export interface ApiTokenView {
  id: string;
  name: string;
  identityId: string;
  expiresAt: number | null;
  lastUsedAt: number | null;
  createdAt: number;
}

const view = (r: typeof apiTokens.$inferSelect): ApiTokenView => ({
  id: r.id,
  name: r.name,
  identityId: r.identityId,
  expiresAt: r.expiresAt,
  lastUsedAt: r.lastUsedAt,
  createdAt: r.createdAt,
});

/** Longest lifetime of an API token; a token asked for without expiry gets this. */
export const API_TOKEN_MAX_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * Mints a `ztlu_` (person) or `ztls_` (service account) token. The secret is
 * returned once; only its SHA-256 is stored. An API token cannot mint another
 * (`mintedWith: "api_token"`): a short-lived or exchanged token must not turn
 * into a longer-lived one. Every token expires within {@link API_TOKEN_MAX_MS}.
 */
export async function createApiToken(
  ctx: DomainContext,
  owner: IdentityRow,
  input: {
    name: string;
    expiresAt: number | null;
    issuerId?: string;
    auditDetail?: Record<string, unknown>;
    mintedWith?: CredentialKind;
  },
): Promise<{ token: ApiTokenView; secret: string }> {
  if (owner.kind === "host") throw new DomainError("auth.forbidden", "Hosts cannot hold API tokens");
  if (input.mintedWith === "api_token") throw new DomainError("auth.forbidden", "API tokens cannot create API tokens");
  const now = ctx.now();
  if (input.expiresAt !== null && input.expiresAt <= now) {
    throw new DomainError("common.validation", "expires_at must be in the future");
  }
  if (input.expiresAt !== null && input.expiresAt > now + API_TOKEN_MAX_MS) {
    throw new DomainError("common.validation", "expires_at must be at most 90 days ahead");
  }
  const expiresAt = input.expiresAt ?? now + API_TOKEN_MAX_MS;
  const secret = generateZtlToken(owner.kind === "service" ? "s" : "u");
  const row = {
    id: newId(),
    identityId: owner.id,
    name: input.name,
    hashedKey: await hashApiToken(secret),
    expiresAt,
    lastUsedAt: null,
    issuerId: input.issuerId ?? null,
    createdBy: ctx.actor?.id ?? null,
    createdAt: ctx.now(),
  };
  await commitAudited(ctx, [ctx.db.insert(apiTokens).values(row)], {
    action: "api_token.create",
    targetType: "api_token",
    targetId: row.id,
    detail: { owner: owner.id, name: input.name, ...input.auditDetail },
  });
  return { token: view(row), secret };
}

export async function listApiTokens(ctx: DomainContext, identityId: string): Promise<ApiTokenView[]> {
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.identityId, identityId))
    .orderBy(desc(apiTokens.createdAt))
    .all();
  return rows.map(view);
}

/**
 * Deletes a token of `identityId` (or any token, for admins passing `undefined`). Effective on the next
 * request; the sockets opened with it close now.
 */
export async function deleteApiToken(ctx: DomainContext, id: string, identityId: string | undefined): Promise<void> {
  const where = identityId ? and(eq(apiTokens.id, id), eq(apiTokens.identityId, identityId)) : eq(apiTokens.id, id);
  const row = await ctx.db.select().from(apiTokens).where(where).get();
  if (!row) throw new DomainError("common.not_found", "Token not found");
  await commitAudited(ctx, [ctx.db.delete(apiTokens).where(eq(apiTokens.id, id))], {
    action: "api_token.delete",
    targetType: "api_token",
    targetId: id,
    detail: { owner: row.identityId },
  });
  await closeLiveSockets(ctx, { sessionId: tokenSession(id) }, "token deleted");
}
