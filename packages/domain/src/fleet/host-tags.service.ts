import { eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { hosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid } from "../shared/ids";

/**
 * Replaces a host's admin-assigned tags (issue 11: what an agent reports is a
 * label and never selects job targets; only these tags do). Admin-only at the
 * route; audited with the new set.
 */
export async function setHostTags(
  ctx: DomainContext,
  hostId: string,
  tags: Record<string, string>,
): Promise<Record<string, string>> {
  if (!isUuid(hostId)) throw new DomainError("common.not_found", "Host not found");
  const host = await ctx.db.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, hostId)).get();
  if (!host) throw new DomainError("common.not_found", "Host not found");
  await commitAudited(
    ctx,
    [ctx.db.update(hosts).set({ adminTags: tags, updatedAt: ctx.now() }).where(eq(hosts.id, hostId))],
    { action: "host.set_tags", targetType: "host", targetId: hostId, detail: { tags } },
  );
  return tags;
}
