import { hosts, identities } from "../schema";
import type { DomainContext } from "../shared/context";

export type HostRow = typeof hosts.$inferSelect;
type IdentityInsert = typeof identities.$inferInsert;

/** Registry names as ctrl-exec addresses hosts: letters, digits, dot, dash, underscore. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** The identity + host rows of a newly enrolled host (same id for both: one host, one identity). */
export function newHostRows(
  ctx: DomainContext,
  input: {
    id: string;
    name: string;
    fqdn?: string;
    ipAddress?: string;
    machineId?: string | null;
    osName?: string;
    displayName?: string;
    agentPort?: number;
    notes?: string;
  },
) {
  const now = ctx.now();
  const identity: IdentityInsert = {
    id: input.id,
    kind: "host",
    name: input.name,
    displayName: input.name,
    role: "reporter",
    createdBy: ctx.actor?.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const host: typeof hosts.$inferInsert = {
    id: input.id,
    identityId: input.id,
    name: input.name,
    fqdn: input.fqdn ?? input.name,
    ipAddress: input.ipAddress ?? "",
    displayName: input.displayName ?? input.name,
    agentPort: input.agentPort ?? 12443,
    notes: input.notes ?? "",
    machineId: input.machineId ?? null,
    osName: input.osName ?? "",
    registeredAt: now,
    updatedAt: now,
  };
  return [ctx.db.insert(identities).values(identity), ctx.db.insert(hosts).values(host)] as const;
}
