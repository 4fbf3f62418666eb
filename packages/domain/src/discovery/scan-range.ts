import { DISCOVERY_MAX_ADDRESSES } from "@fleetgate/contract";
import { parseCidr } from "../shared/cidr";
import { DomainError } from "../shared/errors";

/** The reference's refusal text (linux-patch-manager.md §4 Discovery). */
export const INVALID_CIDR = "Invalid CIDR range";

/**
 * A range an agent may be asked to scan: a well-formed CIDR (host bits zero) of at most
 * DISCOVERY_MAX_ADDRESSES addresses (an IPv4 /22, an IPv6 /118) that lies entirely inside one of
 * the admin-allowlisted blocks (settings `discovery_cidrs`; empty = nothing may be scanned).
 * Returns the index of the allowlisted block that contains it.
 */
export function checkScanRange(cidr: string, allowlist: readonly string[]): { block: string; size: number } {
  const range = parseCidr(cidr);
  if (!range) throw new DomainError("discovery.invalid_cidr", INVALID_CIDR);
  const size = 2 ** (128 - range.bits);
  if (size > DISCOVERY_MAX_ADDRESSES) {
    throw new DomainError(
      "discovery.invalid_cidr",
      `${INVALID_CIDR}: at most ${DISCOVERY_MAX_ADDRESSES} addresses (an IPv4 /22) may be scanned at once`,
    );
  }
  for (const entry of allowlist) {
    const block = parseCidr(entry);
    if (!block || block.bits > range.bits) continue;
    const shift = BigInt(128 - block.bits);
    if (block.bits === 0 || range.base >> shift === block.base >> shift) return { block: entry, size };
  }
  throw new DomainError(
    "discovery.invalid_cidr",
    `${INVALID_CIDR}: not inside the discovery allowlist (settings discovery_cidrs)`,
  );
}
