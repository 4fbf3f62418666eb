import { z } from "zod";

/** One argument of a built-in command is at most this long, and a command has at most this many. */
const MAX_ARG = 4096;
const MAX_ARGS = 256;

/** A job id as built-in commands take it (their first argument). */
export const JOB_ID_ARG = /^[\w-]{1,64}$/;

/**
 * `head` followed by `items` as JSON arrays of at most MAX_ARG characters each (the agent's
 * argument limits); null when one item alone is too long or the list needs too many arguments.
 */
export function encodeJsonChunks<T>(head: string[], items: T[]): string[] | null {
  const args = [...head];
  let chunk: T[] = [];
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

/** The items of `chunks` (JSON arrays of `item`), in order; null when one is not valid. */
export function decodeJsonChunks<T extends z.ZodTypeAny>(chunks: string[], item: T): z.infer<T>[] | null {
  const out: z.infer<T>[] = [];
  for (const c of chunks) {
    let json: unknown;
    try {
      json = JSON.parse(c);
    } catch {
      return null;
    }
    const parsed = z.array(item).safeParse(json);
    if (!parsed.success) return null;
    out.push(...parsed.data);
  }
  return out;
}
