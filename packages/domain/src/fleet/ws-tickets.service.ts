import { sql } from "drizzle-orm";
import { z } from "zod";
import { nonces } from "../schema";
import type { DomainContext } from "../shared/context";

/** WebSocket tickets live 60 s and are single use (linux-patch-manager.md §6). */
export const WS_TICKET_TTL_MS = 60_000;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID (48-bit time + 80 random bits, Crockford base32), as LPM's tickets are. */
export function newUlid(now: number): string {
  let out = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = (CROCKFORD[t % 32] ?? "0") + out;
    t = Math.floor(t / 32);
  }
  const rnd = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 16; i++) out += CROCKFORD[(rnd[i] ?? 0) % 32];
  return out;
}

/** What a ticket's row holds: who it was issued to and under which sign-in session (Principal.sessionId). */
const TicketOwner = z.object({ i: z.string().min(1).max(64), s: z.string().min(1).max(64).optional() });

/**
 * Issues a ticket for the caller; only the ticket's key row is stored, holding
 * the identity id and the caller's sign-in session, so the socket it opens can
 * be closed when that session ends.
 */
export async function issueWsTicket(ctx: DomainContext, identityId: string, sessionId?: string): Promise<string> {
  const ticket = newUlid(ctx.now());
  await ctx.db
    .insert(nonces)
    .values({
      key: `ws-ticket:${ticket}`,
      expiresAt: ctx.now() + WS_TICKET_TTL_MS,
      value: JSON.stringify({ i: identityId, s: sessionId }),
    })
    .run();
  return ticket;
}

/** Consumes a ticket atomically (DELETE … RETURNING: of two concurrent uses exactly one wins). */
export async function consumeWsTicket(
  ctx: DomainContext,
  ticket: string,
): Promise<
  { ok: true; identityId: string; sessionId?: string } | { ok: false; reason: "invalid_ticket" | "ticket_expired" }
> {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(ticket)) return { ok: false, reason: "invalid_ticket" };
  const row = await ctx.db.get<{ expires_at: number; value: string | null } | undefined>(
    sql`DELETE FROM nonces WHERE key = ${`ws-ticket:${ticket}`} RETURNING expires_at, value`,
  );
  if (!row?.value) return { ok: false, reason: "invalid_ticket" };
  if (row.expires_at < ctx.now()) return { ok: false, reason: "ticket_expired" };
  const owner = parseOwner(row.value);
  if (!owner) return { ok: false, reason: "invalid_ticket" };
  return { ok: true, identityId: owner.i, ...(owner.s === undefined ? {} : { sessionId: owner.s }) };
}

function parseOwner(value: string): z.infer<typeof TicketOwner> | undefined {
  try {
    const parsed = TicketOwner.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
