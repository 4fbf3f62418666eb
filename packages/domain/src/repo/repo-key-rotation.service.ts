import { and, inArray, isNull } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { RepoStore } from "../ports/repo-store.port";
import { repoSigningKeys } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { type RepoSyncResult, regenerateRepository } from "./package-repo.service";
import { REPO_PREFIX } from "./repo-paths";
import { publishedKeyring, publishedRepoKeys } from "./repo-signing-key.service";

/**
 * Signing-key rotation of the agent package repository (docs/agent-distribution.md "Signing-key
 * rotation"). Step 1 (`rotateRepoKey`): a new Ed25519 key signs the regenerated metadata (InRelease,
 * Release.gpg, repomd.xml.asc) while the old key stays published next to it (repo-config's
 * `gpg_public_key` and `key.asc` carry both), so hosts can fetch the new key before they need it.
 * Step 2 (`retirePreviousRepoKeys`): the older keys are retired and no longer published.
 */
export async function rotateRepoKey(
  ctx: DomainContext,
  store: RepoStore,
): Promise<RepoSyncResult & { published: string[] }> {
  if ((await publishedRepoKeys(ctx)).length === 0)
    throw new DomainError("common.conflict", "The repository has no signing key to rotate yet");
  const result = await regenerateRepository(ctx, store, "manual", { rotateKey: true });
  return { ...result, published: (await publishedRepoKeys(ctx)).map((k) => k.fingerprint) };
}

/** Retires every published key but the newest (the one that signs); 409 when only one is published. */
export async function retirePreviousRepoKeys(
  ctx: DomainContext,
  store: RepoStore,
): Promise<{ fingerprint: string; retired: string[] }> {
  const keys = await publishedRepoKeys(ctx);
  const current = keys.at(-1);
  if (!current || keys.length < 2) throw new DomainError("common.conflict", "Only one signing key is published");
  const older = keys.slice(0, -1);
  await commitAudited(
    ctx,
    [
      ctx.db
        .update(repoSigningKeys)
        .set({ retiredAt: ctx.now() })
        .where(
          and(
            inArray(
              repoSigningKeys.id,
              older.map((k) => k.id),
            ),
            isNull(repoSigningKeys.retiredAt),
          ),
        ),
    ],
    {
      action: "repo.signing_key.retire",
      targetType: "repo_signing_key",
      targetId: current.id,
      detail: { current: current.fingerprint, retired: older.map((k) => k.fingerprint) },
    },
  );
  const keyring = (await publishedKeyring(ctx)) ?? current.publicKey;
  await store.put(`${REPO_PREFIX}key.asc`, new TextEncoder().encode(keyring), "application/pgp-keys");
  return { fingerprint: current.fingerprint, retired: older.map((k) => k.fingerprint) };
}
