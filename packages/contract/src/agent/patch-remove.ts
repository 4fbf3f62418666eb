import { z } from "zod";

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
const MAX_ARG = 4096;
const MAX_ARGS = 256;

/** The arguments of a remove command; null when the list does not fit in one command. */
export function encodeRemoveArgs(jobId: string, items: RemoveItem[]): string[] | null {
  const args = [jobId];
  let chunk: RemoveItem[] = [];
  for (const item of items) {
    const next = [...chunk, item];
    if (JSON.stringify(next).length > MAX_ARG) {
      if (chunk.length === 0) return null;
      args.push(JSON.stringify(chunk));
      chunk = [item];
    } else {
      chunk = next;
    }
  }
  if (chunk.length > 0) args.push(JSON.stringify(chunk));
  return args.length <= MAX_ARGS ? args : null;
}

/** The job id and packages of a remove command's arguments; null when they are not valid. */
export function decodeRemoveArgs(args: string[]): { jobId: string; items: RemoveItem[] } | null {
  const [jobId, ...chunks] = args;
  if (!jobId || !/^[\w-]{1,64}$/.test(jobId)) return null;
  const items: RemoveItem[] = [];
  for (const c of chunks) {
    let json: unknown;
    try {
      json = JSON.parse(c);
    } catch {
      return null;
    }
    const parsed = z.array(RemoveItem).safeParse(json);
    if (!parsed.success) return null;
    items.push(...parsed.data);
  }
  return items.length > 0 ? { jobId, items } : null;
}
