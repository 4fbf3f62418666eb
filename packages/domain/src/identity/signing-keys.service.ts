import { decrypt, encrypt, generateSigningKey, type JWK } from "@fleetgate/auth";
import { and, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { signingKeys } from "../schema";
import type { DomainContext } from "../shared/context";

/** Access tokens live 900 s; a retired key keeps verifying this long after retirement (+ leeway). */
export const ACCESS_TOKEN_TTL = 900;
const RETIRE_GRACE_MS = (ACCESS_TOKEN_TTL + 60) * 1000;
const CACHE_MS = 60_000;

interface ActiveKey {
  kid: string;
  alg: "EdDSA" | "ES256";
  privateJwk: JWK;
}

// Per-isolate caches: public keys by kid, and the active private key.
const publicCache = new Map<string, { jwk: JWK | undefined; at: number }>();
let activeCache: { key: ActiveKey; at: number } | undefined;

const AAD = "signing-key";

/** The key new access tokens are signed with; created on first use (wrapped with MASTER_KEY). */
export async function activeSigningKey(ctx: DomainContext): Promise<ActiveKey> {
  if (activeCache && ctx.now() - activeCache.at < CACHE_MS) return activeCache.key;
  const row = await ctx.db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.purpose, "access"), isNull(signingKeys.retiredAt)))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1)
    .get();
  let key: ActiveKey | undefined;
  if (row) {
    const plain = await decrypt(ctx.keys.wrap, row.privateJwkEnc, AAD);
    if (plain) key = { kid: row.kid, alg: row.alg as ActiveKey["alg"], privateJwk: JSON.parse(plain) as JWK };
  }
  key ??= await createKey(ctx);
  activeCache = { key, at: ctx.now() };
  return key;
}

async function createKey(ctx: DomainContext): Promise<ActiveKey> {
  const k = await generateSigningKey("EdDSA");
  await ctx.db
    .insert(signingKeys)
    .values({
      kid: k.kid,
      alg: k.alg,
      purpose: "access",
      publicJwk: k.publicJwk as Record<string, unknown>,
      privateJwkEnc: await encrypt(ctx.keys.wrap, JSON.stringify(k.privateJwk), AAD),
      createdAt: ctx.now(),
    })
    .run();
  return { kid: k.kid, alg: k.alg, privateJwk: k.privateJwk };
}

/** Public key for `kid` if it may still verify tokens (active, or retired less than 900 s + leeway ago). */
export async function verificationKey(ctx: DomainContext, kid: string): Promise<JWK | undefined> {
  const hit = publicCache.get(kid);
  if (hit && ctx.now() - hit.at < CACHE_MS) return hit.jwk;
  const row = await ctx.db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.kid, kid), or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, ctx.now()))))
    .get();
  const jwk = row ? (row.publicJwk as JWK) : undefined;
  publicCache.set(kid, { jwk, at: ctx.now() });
  return jwk;
}

/** Keys published at /.well-known/jwks.json: the active one and those still within their grace period. */
export async function publishedKeys(ctx: DomainContext): Promise<JWK[]> {
  await activeSigningKey(ctx);
  const rows = await ctx.db
    .select()
    .from(signingKeys)
    .where(or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, ctx.now())))
    .orderBy(desc(signingKeys.createdAt))
    .all();
  return rows.map((r) => r.publicJwk as JWK);
}

/** Starts signing with a fresh key; the old one keeps verifying until its tokens have expired. */
export async function rotateSigningKey(ctx: DomainContext): Promise<string> {
  const now = ctx.now();
  await ctx.db
    .update(signingKeys)
    .set({ retiredAt: now, expiresAt: now + RETIRE_GRACE_MS })
    .where(and(eq(signingKeys.purpose, "access"), isNull(signingKeys.retiredAt)))
    .run();
  activeCache = undefined;
  publicCache.clear();
  const k = await createKey(ctx);
  return k.kid;
}

/** Cron: forget keys whose grace period is over. */
export async function pruneSigningKeys(ctx: DomainContext): Promise<void> {
  await ctx.db.delete(signingKeys).where(lte(signingKeys.expiresAt, ctx.now())).run();
}
