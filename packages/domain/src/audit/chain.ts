import { hmacHex } from "@fleetgate/auth";

/** prev_hash of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainFields {
  id: string;
  at: number;
  actorId: string | null;
  actorName: string | null;
  credentialId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  sourceIp: string | null;
  outcome: "success" | "failure" | "denied";
  detail: Record<string, unknown>;
}

/** Deterministic JSON: object keys sorted at every level, so the hash does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Where a sealed entry sits: its ledger position and its insertion order (`seq`). */
export interface ChainPosition {
  ledgerSeq: number;
  seq: number;
}

/**
 * hash = HMAC-SHA256(chain key, prev_hash ‖ "\n" ‖ canonical([ledger_seq, seq, entry…])).
 * Keyed (RFC 2104) so that write access to D1 alone cannot recompute the chain;
 * binding both positions makes an edited, deleted, inserted or reordered row break
 * its own link or the next one.
 */
export function entryHash(key: CryptoKey, prevHash: string, pos: ChainPosition, f: ChainFields): Promise<string> {
  const body = canonical([
    pos.ledgerSeq,
    pos.seq,
    f.id,
    f.at,
    f.actorId,
    f.actorName,
    f.credentialId,
    f.action,
    f.targetType,
    f.targetId,
    f.requestId,
    f.sourceIp,
    f.outcome,
    f.detail,
  ]);
  return hmacHex(key, `${prevHash}\n${body}`);
}
