import { z } from "@hono/zod-openapi";

/**
 * The ctrl-exec face's wire shapes (ctrl-exec.md §3–§5). Component names follow
 * ctrl-exec 0.12.3 so that clients generated from either document agree, and
 * `/openapi-live.json` can inject the live host/script enums at the same places.
 * The request bodies are in `./requests` (they validate too); these response
 * schemas document the answers and check them in the tests.
 */

const Rtt = z.string().openapi({ description: "Round-trip time, `<integer>ms`", example: "12ms" });
const Reqid = z.string().openapi({ description: "16 lowercase hex characters", example: "a1b2c3d4e5f60718" });
/** The last fields of every per-host result (ping and run): the agent's request id, its hostname, a failure. */
const hostReply = {
  reqid: Reqid.optional(),
  reported_hostname: z.string().optional(),
  error: z.string().optional(),
};
export const ExecErrorResponse = z
  .object({
    ok: z.literal(false),
    error: z.string().openapi({ example: "bad request" }),
    detail: z.string().optional(),
    code: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    conflicts: z.array(z.string()).optional(),
  })
  .openapi("ErrorResponse");

export const PingResult = z
  .object({
    host: z.string(),
    status: z.enum(["ok", "error"]),
    rtt: Rtt.optional(),
    expiry: z
      .string()
      .optional()
      .openapi({ description: "Certificate notAfter, openssl format", example: "Jan 15 12:00:00 2026 GMT" }),
    version: z.string().optional(),
    ...hostReply,
  })
  .openapi("PingResult");

export const PingResponse = z.object({ ok: z.literal(true), results: z.array(PingResult) }).openapi("PingResponse");

export const RunResult = z
  .object({
    host: z.string(),
    script: z.string().optional(),
    exit: z
      .number()
      .int()
      .openapi({ description: "0 ok, >0 script failure, -1 dispatcher-side failure (`error` set), 126 exec failure" }),
    stdout: z.string().optional(),
    stderr: z.string().optional(),
    rtt: Rtt.optional(),
    ...hostReply,
  })
  .openapi("RunResult");

export const RunResponse = z
  .object({ ok: z.literal(true), reqid: Reqid, results: z.array(RunResult) })
  .openapi("RunResponse");

export const AsyncSubmitResult = z
  .object({
    host: z.string(),
    status: z.enum(["accepted", "busy", "error"]),
    reqid: Reqid.optional(),
    rtt: Rtt.optional(),
    error: z.string().optional(),
  })
  .openapi("AsyncSubmitResult");

export const AsyncSubmitResponse = z
  .object({ ok: z.literal(true), async: z.literal(true), reqid: Reqid, results: z.array(AsyncSubmitResult) })
  .openapi("AsyncSubmitResponse");

export const HostStatus = z
  .object({
    status: z.enum(["accepted", "running", "done", "expired", "busy", "error"]),
    exit: z.number().int().optional(),
    stdout: z.string().optional(),
    stderr: z.string().optional(),
    error: z.string().optional(),
    fetch_error: z.string().optional(),
  })
  .openapi("HostStatus");

export const StatusResponse = z
  .object({
    ok: z.literal(true),
    reqid: Reqid,
    script: z.string().optional(),
    mode: z.enum(["sync", "async"]).optional(),
    complete: z.boolean().optional(),
    pending: z.array(z.string()).optional(),
    hosts: z.union([z.record(z.string(), HostStatus), z.array(z.string())]).optional(),
    results: z.array(RunResult).optional(),
    completed: z.number().int().optional(),
    created: z.number().int().optional(),
  })
  .openapi("StatusResponse");

export const ScriptEntry = z
  .object({ name: z.string(), path: z.string(), executable: z.boolean() })
  .openapi("ScriptEntry");

export const HostCapabilities = z
  .object({
    host: z.string(),
    status: z.enum(["ok", "error"]),
    version: z.string().optional(),
    reported_hostname: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    scripts: z.array(ScriptEntry).optional(),
    error: z.string().optional(),
  })
  .openapi("HostCapabilities");

export const DiscoveryResponse = z
  .object({ ok: z.literal(true), hosts: z.record(z.string(), HostCapabilities) })
  .openapi("DiscoveryResponse");

export type RunResultBody = z.infer<typeof RunResult>;
export type HostStatusBody = z.infer<typeof HostStatus>;
export type StatusBody = z.infer<typeof StatusResponse>;
export type PingResultBody = z.infer<typeof PingResult>;
export type HostCapabilitiesBody = z.infer<typeof HostCapabilities>;
