import { z } from "zod";

/**
 * What the agent reports about the CRL it holds (docs/agent-protocol.md, docs/reports.md
 * "CRL status"): the CRL's number (decimal), its issuer (RFC 4514 DN), nextUpdate and thisUpdate (ms),
 * or why it holds none usable — `missing` (it has no CRL) or `invalid` (the CRL it has does
 * not parse or its signature does not verify against the agent's CA certificates).
 */
export const AgentCrlHeld = z.object({
  crl_number: z.string().regex(/^\d{1,48}$/),
  issuer: z.string().max(1024),
  next_update: z.number().int(),
  /** thisUpdate (ms); agents before 0.x did not send it, so it stays optional. */
  this_update: z.number().int().optional(),
});
export const AgentCrlProblem = z.object({
  error: z.enum(["missing", "invalid"]),
  detail: z.string().max(500).optional(),
});
export const AgentCrlReport = z.union([AgentCrlHeld, AgentCrlProblem]);
export type AgentCrlReport = z.infer<typeof AgentCrlReport>;

/** Sent after the agent refreshed its CRL (and at most hourly otherwise); the hello carries the same report. */
export const CrlStateFrame = z.object({ type: z.literal("crl_state"), crl: AgentCrlReport });
