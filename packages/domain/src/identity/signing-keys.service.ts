import { decrypt, encrypt, generateSigningKey, type JWK } from "@fleetgate/auth";
import { and, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
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

export type KeyPurpose = "access" | "enrollment";
/** Access tokens: EdDSA. Enrollment JWTs: ES256, which OpenZiti SDKs verify. */
const ALG: Record<KeyPurpose, ActiveKey["alg"]> = { access: "EdDSA", enrollment: "ES256" };

// Per-isolate caches: public keys by kid, and the active private key per purpose.
// The public cache holds only keys that exist (a miss is never cached, so forged
// kids cannot fill it) and at most KID_CACHE_MAX of them (oldest out first).
const publicCache = new Map<string, { jwk: JWK; at: number }>();
export const KID_CACHE_MAX = 32;
/** Our kids are RFC 7638 SHA-256 thumbprints: 43 base64url characters. */
const KID = /^[A-Za-z0-9_-]{43}$/;

/** How many public keys this isolate caches (tests, diagnostics). */
export const verificationKeyCacheSize = () => publicCache.size;
const activeCache = new Map<KeyPurpose, { key: ActiveKey; at: number }>();

const AAD = "signing-key";

/** The key new tokens of `purpose` are signed with; created on first use (wrapped with MASTER_KEY). */
export async function activeSigningKey(ctx: DomainContext, purpose: KeyPurpose = "access"): Promise<ActiveKey> {
  const hit = activeCache.get(purpose);
  if (hit && ctx.now() - hit.at < CACHE_MS) return hit.key;
  const row = await ctx.db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.purpose, purpose), isNull(signingKeys.retiredAt)))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1)
    .get();
  let key: ActiveKey | undefined;
  if (row) {
    const plain = await decrypt(ctx.keys.wrap, row.privateJwkEnc, AAD);
    if (plain) key = { kid: row.kid, alg: row.alg as ActiveKey["alg"], privateJwk: JSON.parse(plain) as JWK };
  }
  key ??= await createKey(ctx, purpose);
  activeCache.set(purpose, { key, at: ctx.now() });
  return key;
}

async function createKey(ctx: DomainContext, purpose: KeyPurpose): Promise<ActiveKey> {
  const k = await generateSigningKey(ALG[purpose]);
  await ctx.db
    .insert(signingKeys)
    .values({
      kid: k.kid,
      alg: k.alg,
      purpose,
      publicJwk: k.publicJwk as Record<string, unknown>,
      privateJwkEnc: await encrypt(ctx.keys.wrap, JSON.stringify(k.privateJwk), AAD),
      createdAt: ctx.now(),
    })
    .run();
  return { kid: k.kid, alg: k.alg, privateJwk: k.privateJwk };
}

/** Public key for `kid` of `purpose` if it may still verify (active, or retired less than 900 s + leeway ago). */
export async function verificationKey(
  ctx: DomainContext,
  kid: string,
  purpose: KeyPurpose = "access",
): Promise<JWK | undefined> {
  if (!KID.test(kid)) return undefined;
  const cacheKey = `${purpose}:${kid}`;
  const hit = publicCache.get(cacheKey);
  if (hit && ctx.now() - hit.at < CACHE_MS) return hit.jwk;
  publicCache.delete(cacheKey);
  const row = await ctx.db
    .select()
    .from(signingKeys)
    .where(
      and(
        eq(signingKeys.kid, kid),
        eq(signingKeys.purpose, purpose),
        or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, ctx.now())),
      ),
    )
    .get();
  if (!row) return undefined;
  const jwk = row.publicJwk as JWK;
  publicCache.set(cacheKey, { jwk, at: ctx.now() });
  while (publicCache.size > KID_CACHE_MAX) {
    const oldest = publicCache.keys().next().value;
    if (oldest === undefined) break;
    publicCache.delete(oldest);
  }
  return jwk;
}

/** Published keys of `purpose` (JWKS): the active one and those still within their grace period. */
export async function publishedKeys(ctx: DomainContext, purpose: KeyPurpose = "access"): Promise<JWK[]> {
  await activeSigningKey(ctx, purpose);
  const rows = await ctx.db
    .select()
    .from(signingKeys)
    .where(
      and(eq(signingKeys.purpose, purpose), or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, ctx.now()))),
    )
    .orderBy(desc(signingKeys.createdAt))
    .all();
  return rows.map((r) => r.publicJwk as JWK);
}

/**
 * A published (not yet expired) key of `purpose` by its kid, with its private part: the active key
 * or one retired within its grace period (what `publishedKeys` lists). Undefined when unknown.
 */
export async function publishedSigningKey(
  ctx: DomainContext,
  purpose: KeyPurpose,
  kid: string,
): Promise<ActiveKey | undefined> {
  if (!KID.test(kid)) return undefined;
  const row = await ctx.db
    .select()
    .from(signingKeys)
    .where(
      and(
        eq(signingKeys.purpose, purpose),
        eq(signingKeys.kid, kid),
        or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, ctx.now())),
      ),
    )
    .get();
  const plain = row && (await decrypt(ctx.keys.wrap, row.privateJwkEnc, AAD));
  return row && plain
    ? { kid: row.kid, alg: row.alg as ActiveKey["alg"], privateJwk: JSON.parse(plain) as JWK }
    : undefined;
}

/** Starts signing with a fresh key; the old one keeps verifying until its tokens have expired. */
export async function rotateSigningKey(ctx: DomainContext, purpose: KeyPurpose = "access"): Promise<string> {
  const now = ctx.now();
  const k = await generateSigningKey(ALG[purpose]);
  await commitAudited(
    ctx,
    [
      ctx.db
        .update(signingKeys)
        .set({ retiredAt: now, expiresAt: now + RETIRE_GRACE_MS })
        .where(and(eq(signingKeys.purpose, purpose), isNull(signingKeys.retiredAt))),
      ctx.db.insert(signingKeys).values({
        kid: k.kid,
        alg: k.alg,
        purpose,
        publicJwk: k.publicJwk as Record<string, unknown>,
        privateJwkEnc: await encrypt(ctx.keys.wrap, JSON.stringify(k.privateJwk), AAD),
        createdAt: now,
      }),
    ],
    { action: "signing_key.rotate", targetType: "signing_key", targetId: k.kid, detail: { purpose } },
  );
  activeCache.delete(purpose);
  publicCache.clear();
  return k.kid;
}

/** Cron: forget keys whose grace period is over. */
export async function pruneSigningKeys(ctx: DomainContext): Promise<void> {
  await ctx.db.delete(signingKeys).where(lte(signingKeys.expiresAt, ctx.now())).run();
}
