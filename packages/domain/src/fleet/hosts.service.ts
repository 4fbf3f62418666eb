import { and, asc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { commitAudited } from "../audit/audit.service";
import type { Database } from "../db";
import type { GroupRow } from "../identity/groups.service";
import { revocationStatements } from "../pki/certificates.service";
import { certificates, groups, hostGroups, hostScripts, hosts, identities, identityGroups } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import type { HostRow } from "./host-records";
import { reauthoriseJobStreams } from "./job-stream";
import { hostVisible, type Visibility } from "./visibility";

export type HostScriptRow = typeof hostScripts.$inferSelect;

/** Hosts the caller may see: 404 for unknown ids, 403 "Access denied" for hosts outside the caller's groups. */
export async function getVisibleHost(ctx: DomainContext, id: string, v: Visibility): Promise<HostRow> {
  if (!isUuid(id)) throw new DomainError("common.not_found", "Host not found");
  const host = await ctx.db.select().from(hosts).where(eq(hosts.id, id)).get();
  if (!host) throw new DomainError("common.not_found", "Host not found");
  const cond = hostVisible(v, sql`${id}`);
  if (cond) {
    const ok = await ctx.db.get<{ ok: number } | undefined>(sql`SELECT 1 AS ok WHERE ${cond}`);
    if (!ok) throw new DomainError("auth.forbidden", "Access denied");
  }
  return host;
}

export interface HostPatch {
  fqdn?: string;
  ip_address?: string;
  display_name?: string;
  notes?: string;
}

/** `PUT /hosts/{id}`: the operator-editable fields (the agent reports the rest). */
export async function updateHost(ctx: DomainContext, id: string, patch: HostPatch, v: Visibility): Promise<HostRow> {
  const host = await getVisibleHost(ctx, id, v);
  const set: Partial<typeof hosts.$inferInsert> = { updatedAt: ctx.now() };
  if (patch.fqdn !== undefined) set.fqdn = patch.fqdn;
  if (patch.ip_address !== undefined) set.ipAddress = patch.ip_address;
  if (patch.display_name !== undefined) set.displayName = patch.display_name;
  if (patch.notes !== undefined) set.notes = patch.notes;
  await commitAudited(ctx, [ctx.db.update(hosts).set(set).where(eq(hosts.id, host.id))], {
    action: "host.update",
    targetType: "host",
    targetId: host.id,
    detail: { fields: Object.keys(patch) },
  });
  return { ...host, ...set } as HostRow;
}

/**
 * `DELETE /hosts/{id}`: removes the host and its identity and revokes its
 * certificates in one audited batch, so the agent can never connect again.
 * The caller also closes the live connection (HostChannel).
 */
export async function deleteHost(ctx: DomainContext, id: string, v: Visibility): Promise<HostRow> {
  const host = await getVisibleHost(ctx, id, v);
  const certs = await ctx.db
    .select({ id: certificates.id })
    .from(certificates)
    .where(and(eq(certificates.hostId, host.id), eq(certificates.status, "active")))
    .all();
  const certIds = certs.map((c) => c.id);
  const statements = [
    ...(certIds.length > 0 ? revocationStatements(ctx, certIds, "cessationOfOperation") : []),
    ctx.db.delete(hosts).where(eq(hosts.id, host.id)),
    ctx.db.delete(identities).where(and(eq(identities.id, host.identityId ?? host.id), eq(identities.kind, "host"))),
  ];
  await commitAudited(ctx, statements, {
    action: "host.delete",
    targetType: "host",
    targetId: host.id,
    detail: { name: host.name, revoked_certificates: certIds.length },
  });
  return host;
}

/** The groups a host belongs to, by name. */
export async function hostGroupsOf(ctx: DomainContext, id: string, v: Visibility): Promise<GroupRow[]> {
  const host = await getVisibleHost(ctx, id, v);
  return ctx.db
    .select({
      id: groups.id,
      name: groups.name,
      description: groups.description,
      createdAt: groups.createdAt,
      updatedAt: groups.updatedAt,
    })
    .from(hostGroups)
    .innerJoin(groups, eq(groups.id, hostGroups.groupId))
    .where(eq(hostGroups.hostId, host.id))
    .orderBy(asc(groups.name))
    .all();
}

/** Adds a host to a group (idempotent). Non-admins only for groups they are a member of. */
export async function addHostToGroup(ctx: DomainContext, id: string, groupId: string, v: Visibility): Promise<void> {
  const host = await getVisibleHost(ctx, id, v);
  const group = await ctx.db.select({ id: groups.id }).from(groups).where(eq(groups.id, groupId)).get();
  if (!group) throw new DomainError("common.not_found", "Group not found");
  await assertMayChangeMembership(ctx, groupId, v);
  await commitAudited(ctx, [ctx.db.insert(hostGroups).values({ hostId: host.id, groupId }).onConflictDoNothing()], {
    action: "host.add_group",
    targetType: "host",
    targetId: host.id,
    detail: { group: groupId },
  });
  await reauthoriseJobStreams(ctx, null, "host groups changed");
}

/**
 * Host-group membership is the visibility ACL, so non-admins may change it
 * only for groups they belong to (docs/auth.md "Who sees which hosts").
 */
async function assertMayChangeMembership(ctx: DomainContext, groupId: string, v: Visibility): Promise<void> {
  if (v.kind === "all") return;
  const member = await ctx.db
    .select({ g: identityGroups.groupId })
    .from(identityGroups)
    .where(and(eq(identityGroups.identityId, v.identityId), eq(identityGroups.groupId, groupId)))
    .get();
  if (!member) throw new DomainError("auth.forbidden", "Only members of the group (or admins) can change its hosts");
}

/**
 * Removes a host from a group; 404 when it was not a member. A non-admin can
 * neither remove a group they are not in nor a host's last group (an ungrouped
 * host is visible to every non-admin): the delete is conditional in SQL, so two
 * concurrent removals cannot both pass the check.
 */
export async function removeHostFromGroup(
  ctx: DomainContext,
  id: string,
  groupId: string,
  v: Visibility,
): Promise<void> {
  const host = await getVisibleHost(ctx, id, v);
  const where = and(eq(hostGroups.hostId, host.id), eq(hostGroups.groupId, groupId));
  const row = await ctx.db.select().from(hostGroups).where(where).get();
  if (!row) throw new DomainError("common.not_found", "Host is not in this group");
  await assertMayChangeMembership(ctx, groupId, v);
  const lastGroup = new DomainError("auth.forbidden", "Only an admin can remove a host's last group");
  const notLast = sql`(SELECT count(*) FROM host_groups WHERE host_id = ${host.id}) > 1`;
  if (v.kind === "member") {
    const count = await ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(hostGroups)
      .where(eq(hostGroups.hostId, host.id))
      .get();
    if ((count?.n ?? 0) <= 1) throw lastGroup;
  }
  await commitAudited(ctx, [ctx.db.delete(hostGroups).where(v.kind === "member" ? and(where, notLast) : where)], {
    action: "host.remove_group",
    targetType: "host",
    targetId: host.id,
    detail: { group: groupId },
  });
  await reauthoriseJobStreams(ctx, null, "host groups changed");
}

/** The scripts the host's agent allowlists, as it last reported them. */
export async function hostScriptsOf(ctx: DomainContext, id: string, v: Visibility): Promise<HostScriptRow[]> {
  const host = await getVisibleHost(ctx, id, v);
  return ctx.db.select().from(hostScripts).where(eq(hostScripts.hostId, host.id)).orderBy(asc(hostScripts.name)).all();
}

// ---- agent telemetry (HostChannel; not audited: the agent reports facts, nobody changes anything) ----

export interface AgentHello {
  agentVersion: string;
  hostname: string;
  os: { family: string; name: string; version: string; arch: string };
  tags: Record<string, string>;
  scripts: { name: string; path: string; description: string; executable: boolean; sha256: string }[];
}

/** Records what an agent reported on connect: online, version, OS, tags and its allowlisted scripts. */
export async function recordAgentHello(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
  hello: AgentHello,
  now: number,
): Promise<void> {
  await ctx.db.batch(agentHelloStatements(ctx.db, hostId, hello, now));
}

/** The statements of `recordAgentHello` (the host row, then its script allowlist replaced), for a caller's batch. */
export function agentHelloStatements(
  db: Database,
  hostId: string,
  hello: AgentHello,
  now: number,
): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const osName =
    hello.os.version && !hello.os.name.includes(hello.os.version)
      ? `${hello.os.name} ${hello.os.version}`
      : hello.os.name;
  return [
    db
      .update(hosts)
      .set({
        online: true,
        lastSeenAt: now,
        agentVersion: hello.agentVersion,
        reportedHostname: hello.hostname,
        osFamily: hello.os.family,
        osName,
        arch: hello.os.arch,
        tags: hello.tags,
        updatedAt: now,
      })
      .where(eq(hosts.id, hostId)),
    db.delete(hostScripts).where(eq(hostScripts.hostId, hostId)),
    // One statement for the whole allowlist: json_each keeps it under D1's bound-parameter cap.
    // (INSERT … SELECT names every column of host_scripts, in declaration order.)
    ...(hello.scripts.length > 0
      ? [
          db
            .insert(hostScripts)
            .select(
              sql`SELECT ${hostId}, json_extract(value, '$.name'), json_extract(value, '$.path'),
                   json_extract(value, '$.description'), json_extract(value, '$.executable'),
                   json_extract(value, '$.sha256'), ${now}
            FROM json_each(${JSON.stringify(hello.scripts.map((s) => ({ ...s, executable: s.executable ? 1 : 0 })))})
            WHERE true`,
            )
            .onConflictDoNothing(),
        ]
      : []),
  ];
}

/** Marks a host online/offline and when it was last seen. */
export async function recordAgentPresence(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
  online: boolean,
  now: number,
): Promise<void> {
  await ctx.db.update(hosts).set({ online, lastSeenAt: now }).where(eq(hosts.id, hostId)).run();
}

/** Registry lookup of a host by id (the DO's view: no visibility). */
export async function hostById(db: Database, hostId: string): Promise<HostRow | undefined> {
  return db.select().from(hosts).where(eq(hosts.id, hostId)).get();
}

/** Registry rows of many hosts by id in one query (the DO's view: no visibility); absent ids are left out. */
export async function hostsByIds(db: Database, ids: readonly string[]): Promise<Map<string, HostRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(hosts)
    .where(sql`${hosts.id} IN (SELECT value FROM json_each(${JSON.stringify([...new Set(ids)])}))`)
    .all();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Registry names the caller sees, sorted (ctrl-exec discovery without `hosts`, openapi-live enums). */
export async function registryNames(ctx: DomainContext, v: Visibility): Promise<string[]> {
  const rows = await ctx.db
    .select({ name: hosts.name })
    .from(hosts)
    .where(hostVisible(v, sql`${hosts.id}`) ?? sql`1 = 1`)
    .orderBy(asc(hosts.name))
    .all();
  return rows.map((r) => r.name);
}

/** Whether any host is registered at all (ctrl-exec answers an empty discovery before auth). */
export async function registryEmpty(ctx: DomainContext): Promise<boolean> {
  const row = await ctx.db.select({ id: hosts.id }).from(hosts).limit(1).get();
  return row === undefined;
}

/** Hosts with their allowlisted scripts, for discovery. */
export async function hostsWithScripts(
  ctx: DomainContext,
  ids: string[],
): Promise<{ host: HostRow; scripts: HostScriptRow[] }[]> {
  if (ids.length === 0) return [];
  const list = JSON.stringify(ids);
  const [rows, scripts] = await Promise.all([
    ctx.db.select().from(hosts).where(sql`${hosts.id} IN (SELECT value FROM json_each(${list}))`).all(),
    ctx.db
      .select()
      .from(hostScripts)
      .where(sql`${hostScripts.hostId} IN (SELECT value FROM json_each(${list}))`)
      .orderBy(asc(hostScripts.name))
      .all(),
  ]);
  const byHost = new Map<string, HostScriptRow[]>();
  for (const s of scripts) byHost.set(s.hostId, [...(byHost.get(s.hostId) ?? []), s]);
  return rows.map((host) => ({ host, scripts: byHost.get(host.id) ?? [] }));
}
