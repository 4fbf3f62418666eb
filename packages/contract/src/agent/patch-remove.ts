import { z } from "zod";
import { decodeJsonChunks, encodeJsonChunks, JOB_ID_ARG } from "./json-args";

/**
 * Kind `patch_remove` (docs/patching.md, "Removing packages"): the agent removes exactly these
 * packages at exactly these versions, after putting their files in its vault; a rollback job of
 * it re-installs those versions from the vault.
 */
export const RemoveItem = z.object({
  name: z.string().min(1).max(256),
  arch: z.string().min(1).max(32),
  /** The installed version the job expects (the agent refuses when the host has another). */
  version: z.string().min(1).max(256),
});
export type RemoveItem = z.infer<typeof RemoveItem>;

/** Remove `args` = [job id, …chunks] (each chunk a JSON array of RemoveItem ≤ 4096 characters). */
export const PATCH_REMOVE_COMMAND = "fleetgate-patch-remove";

/** The arguments of a remove command; null when the list does not fit in one command. */
export function encodeRemoveArgs(jobId: string, items: RemoveItem[]): string[] | null {
  return encodeJsonChunks([jobId], items);
}

/** The job id and packages of a remove command's arguments; null when they are not valid. */
export function decodeRemoveArgs(args: string[]): { jobId: string; items: RemoveItem[] } | null {
  const [jobId, ...chunks] = args;
  if (!jobId || !JOB_ID_ARG.test(jobId)) return null;
  const items = decodeJsonChunks(chunks, RemoveItem);
  return items && items.length > 0 ? { jobId, items } : null;
}
