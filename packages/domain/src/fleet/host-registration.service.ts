import { eq, inArray, or } from "drizzle-orm";
import { createEnrollment, type EnrollmentView } from "../pki/enrollments.service";
import { groups, hosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import type { FqdnResolver } from "./fqdn-resolver";
import { HOST_NAME } from "./host-records";

export interface RegisterHostInput {
  fqdn: string;
  displayName?: string;
  agentPort?: number;
  notes?: string;
  groupIds?: string[];
}

/**
 * `POST /hosts`: registers a host by name before its agent is installed. Creates the host record
 * (fqdn resolved to an IP, pending until its agent connects) and a one-time enrollment for it, in
 * one audited batch; the agent enrolling with that token makes the host active.
 */
export async function registerHost(
  ctx: DomainContext,
  resolver: FqdnResolver,
  input: RegisterHostInput,
): Promise<{ hostId: string; enrollment: EnrollmentView }> {
  const fqdn = input.fqdn.trim().toLowerCase().replace(/\.$/, "");
  if (!HOST_NAME.test(fqdn)) throw new DomainError("common.validation", "fqdn: not a valid host name");
  const groupIds = [...new Set(input.groupIds ?? [])];
  const existing = await ctx.db
    .select({ id: hosts.id })
    .from(hosts)
    .where(or(eq(hosts.fqdn, fqdn), eq(hosts.name, fqdn)))
    .get();
  if (existing) throw new DomainError("common.conflict", "Host with this FQDN already exists");
  if (groupIds.length > 0) {
    const found = await ctx.db.select({ id: groups.id }).from(groups).where(inArray(groups.id, groupIds)).all();
    if (found.length !== groupIds.length) throw new DomainError("common.validation", "group_ids: unknown group");
  }
  const ipAddress = await resolver.resolve(fqdn);
  if (!ipAddress) throw new DomainError("fleet.fqdn_resolution_failed", `Could not resolve FQDN '${fqdn}'`);
  try {
    const enrollment = await createEnrollment(ctx, {
      name: fqdn,
      kind: "host",
      method: "ott",
      host: {
        fqdn,
        ipAddress,
        displayName: input.displayName || fqdn,
        agentPort: input.agentPort,
        notes: input.notes,
        groupIds,
      },
    });
    return { hostId: enrollment.identityId, enrollment };
  } catch (err) {
    // A concurrent registration of the same name lost the unique-name race.
    if (err instanceof DomainError && err.code === "common.conflict")
      throw new DomainError("common.conflict", "Host with this FQDN already exists");
    throw err;
  }
}
