import { decrypt, encrypt } from "@fleetgate/auth";
import { asc, desc, isNull } from "drizzle-orm";
import { repoSigningKeys } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { armoredKeyring, generateRepoKey } from "./repo-signing";

const AAD = "repo-signing-key";

export interface RepoSigningKey {
  id: string;
  fingerprint: string;
  publicKey: string;
}

/** The current repository key (public part), or undefined before the first metadata generation. */
export async function currentRepoKey(ctx: Pick<DomainContext, "db">): Promise<RepoSigningKey | undefined> {
  const row = await ctx.db
    .select({ id: repoSigningKeys.id, fingerprint: repoSigningKeys.fingerprint, publicKey: repoSigningKeys.publicKey })
    .from(repoSigningKeys)
    .where(isNull(repoSigningKeys.retiredAt))
    .orderBy(desc(repoSigningKeys.createdAt))
    .limit(1)
    .get();
  return row ?? undefined;
}

/** Every published (not retired) key, oldest first: one, or two during a rotation's overlap. */
export async function publishedRepoKeys(ctx: Pick<DomainContext, "db">): Promise<RepoSigningKey[]> {
  return ctx.db
    .select({ id: repoSigningKeys.id, fingerprint: repoSigningKeys.fingerprint, publicKey: repoSigningKeys.publicKey })
    .from(repoSigningKeys)
    .where(isNull(repoSigningKeys.retiredAt))
    .orderBy(asc(repoSigningKeys.createdAt), asc(repoSigningKeys.id))
    .all();
}

/** The armored keyring of every published key (repo-config, key.asc), or undefined before the first key. */
export async function publishedKeyring(ctx: Pick<DomainContext, "db">): Promise<string | undefined> {
  const keys = await publishedRepoKeys(ctx);
  return keys.length > 0 ? armoredKeyring(keys.map((k) => k.publicKey)) : undefined;
}

/**
 * The key that signs (the newest published one), with its private part unwrapped (MASTER_KEY); created
 * (Ed25519) when there is none, or when `rotate` asks for a new one (a rotation: the older key stays
 * published until it is retired). Returns the insert statement of a new key so the caller commits it
 * with its audit entry.
 */
export async function signingRepoKey(
  ctx: DomainContext,
  opts: { rotate?: boolean } = {},
): Promise<{
  key: RepoSigningKey;
  armoredPrivateKey: string;
  created: boolean;
  insert?: ReturnType<typeof insertKey>;
}> {
  const row = await ctx.db
    .select()
    .from(repoSigningKeys)
    .where(isNull(repoSigningKeys.retiredAt))
    .orderBy(desc(repoSigningKeys.createdAt))
    .limit(1)
    .get();
  if (row && !opts.rotate) {
    const plain = await decrypt(ctx.keys.wrap, row.privateKeyEnc, AAD);
    if (!plain) throw new Error("the repository signing key cannot be unwrapped with this MASTER_KEY");
    return {
      key: { id: row.id, fingerprint: row.fingerprint, publicKey: row.publicKey },
      armoredPrivateKey: plain,
      created: false,
    };
  }
  const material = await generateRepoKey(
    { name: "Fleetgate agent repository", email: `repo@${hostOf(ctx.issuer)}` },
    new Date(ctx.now()),
  );
  const key = { id: newId(), fingerprint: material.fingerprint, publicKey: material.armoredPublicKey };
  const privateKeyEnc = await encrypt(ctx.keys.wrap, material.armoredPrivateKey, AAD);
  return {
    key,
    armoredPrivateKey: material.armoredPrivateKey,
    created: true,
    insert: insertKey(ctx, key, privateKeyEnc),
  };
}

function hostOf(issuer: string): string {
  try {
    return new URL(issuer).hostname || "fleetgate.invalid";
  } catch {
    return "fleetgate.invalid";
  }
}

function insertKey(ctx: DomainContext, key: RepoSigningKey, privateKeyEnc: string) {
  return ctx.db.insert(repoSigningKeys).values({
    id: key.id,
    fingerprint: key.fingerprint,
    publicKey: key.publicKey,
    privateKeyEnc,
    createdAt: ctx.now(),
  });
}
