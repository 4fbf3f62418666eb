import { and, asc, eq, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { reauthoriseJobStreams } from "../fleet/job-stream";
import { groups, hostGroups, identities, identityGroups } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";

export type GroupRow = typeof groups.$inferSelect;

export async function listGroups(ctx: DomainContext): Promise<GroupRow[]> {
  return ctx.db.select().from(groups).orderBy(asc(groups.name)).all();
}

export async function getGroup(ctx: DomainContext, id: string) {
  const group = await ctx.db.select().from(groups).where(eq(groups.id, id)).get();
  if (!group) throw new DomainError("common.not_found", "Group not found");
  const hostCount = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(hostGroups)
    .where(eq(hostGroups.groupId, id))
    .get();
  const userCount = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(identityGroups)
    .where(eq(identityGroups.groupId, id))
    .get();
  return { group, hostCount: hostCount?.n ?? 0, userCount: userCount?.n ?? 0 };
}

function uniqueViolation(err: unknown) {
  return /UNIQUE constraint failed/i.test(String(err));
}

export async function createGroup(ctx: DomainContext, input: { name: string; description?: string }): Promise<string> {
  const id = newId();
  const now = ctx.now();
  try {
    await commitAudited(
      ctx,
      [
        ctx.db
          .insert(groups)
          .values({ id, name: input.name, description: input.description ?? "", createdAt: now, updatedAt: now }),
      ],
      { action: "group.create", targetType: "group", targetId: id, detail: { name: input.name } },
    );
  } catch (err) {
    if (uniqueViolation(err)) throw new DomainError("common.conflict", "Group name already exists");
    throw err;
  }
  return id;
}

export async function updateGroup(ctx: DomainContext, id: string, patch: { name?: string; description?: string }) {
  await getGroup(ctx, id);
  try {
    await commitAudited(
      ctx,
      [
        ctx.db
          .update(groups)
          .set({ ...patch, updatedAt: ctx.now() })
          .where(eq(groups.id, id)),
      ],
      { action: "group.update", targetType: "group", targetId: id, detail: { fields: Object.keys(patch) } },
    );
  } catch (err) {
    if (uniqueViolation(err)) throw new DomainError("common.conflict", "Group name already exists");
    throw err;
  }
}

export async function deleteGroup(ctx: DomainContext, id: string) {
  await getGroup(ctx, id);
  await commitAudited(ctx, [ctx.db.delete(groups).where(eq(groups.id, id))], {
    action: "group.delete",
    targetType: "group",
    targetId: id,
  });
  await reauthoriseJobStreams(ctx, null, "group deleted");
}

export async function addGroupMember(ctx: DomainContext, groupId: string, identityId: string) {
  await getGroup(ctx, groupId);
  const who = await ctx.db.select({ id: identities.id }).from(identities).where(eq(identities.id, identityId)).get();
  if (!who) throw new DomainError("common.not_found", "User not found");
  await commitAudited(ctx, [ctx.db.insert(identityGroups).values({ groupId, identityId }).onConflictDoNothing()], {
    action: "group.add_member",
    targetType: "group",
    targetId: groupId,
    detail: { identity: identityId },
  });
  await reauthoriseJobStreams(ctx, identityId, "groups changed");
}

export async function removeGroupMember(ctx: DomainContext, groupId: string, identityId: string) {
  const row = await ctx.db
    .select()
    .from(identityGroups)
    .where(and(eq(identityGroups.groupId, groupId), eq(identityGroups.identityId, identityId)))
    .get();
  if (!row) throw new DomainError("common.not_found", "Membership not found");
  await commitAudited(
    ctx,
    [
      ctx.db
        .delete(identityGroups)
        .where(and(eq(identityGroups.groupId, groupId), eq(identityGroups.identityId, identityId))),
    ],
    { action: "group.remove_member", targetType: "group", targetId: groupId, detail: { identity: identityId } },
  );
  await reauthoriseJobStreams(ctx, identityId, "groups changed");
}
