import { z } from "zod";
import { ErrorThreshold } from "./rpc";

/**
 * What a job remembers about how it was submitted (`jobs.options`, JSON in D1).
 * Parsed on every read (`jobOptionsOf`), so a row written by an older version
 * or edited by hand fails loudly instead of flowing on as a wrong type.
 */
export const JobOptions = z.object({
  source: z.enum(["exec", "native"]),
  timeout_seconds: z.number().int().positive(),
  queue_ttl_seconds: z.number().int().min(0),
  require_online: z.boolean(),
  max_parallel: z.number().int().positive(),
  error_threshold: ErrorThreshold.nullable(),
  /** ctrl-exec keeps the submitter with the record (never shown); so do we. */
  submitter: z.object({ username: z.string(), source_ip: z.string() }),
  /** The host strings exactly as the ctrl-exec client sent them (the sync record's `hosts`). */
  requested_hosts: z.array(z.string()).optional(),
  /** SHA-256 of the native request body, to refuse an Idempotency-Key reused for another request. */
  request_hash: z.string().optional(),
  host_filter: z.object({ group_id: z.string().optional(), tag: z.string().optional() }).optional(),
});
export type JobOptions = z.infer<typeof JobOptions>;
