import { iso, isoOrNull } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import { groupBody } from "../groups/groups.handlers";
import type * as r from "./hosts.routes";

const summaryBody = (h: svc.HostListRow) => ({
  id: h.id,
  name: h.name,
  fqdn: h.fqdn,
  ip_address: h.ipAddress,
  display_name: h.displayName,
  os_family: h.osFamily,
  os_name: h.osName,
  health_status: h.healthStatus,
  agent_version: h.agentVersion,
  patches_missing: h.patchesMissing,
  health_check_status: h.healthCheckStatus,
  registered_at: iso(h.registeredAt),
  crl_status: h.crlStatus,
  online: h.online,
  last_seen_at: isoOrNull(h.lastSeenAt),
});

type HostCrl = Awaited<ReturnType<typeof svc.hostCrlOf>>;

type HostBoot = Awaited<ReturnType<typeof svc.hostBootOf>>;

const detailBody = (h: svc.HostRow, lastPatchAt: number | null, crl: HostCrl, boot: HostBoot) => ({
  id: h.id,
  name: h.name,
  fqdn: h.fqdn,
  ip_address: h.ipAddress,
  display_name: h.displayName,
  os_family: h.osFamily,
  os_name: h.osName,
  arch: h.arch,
  agent_version: h.agentVersion,
  health_status: h.healthStatus,
  last_health_at: null,
  last_patch_at: isoOrNull(lastPatchAt),
  agent_port: h.agentPort,
  notes: h.notes,
  registered_at: iso(h.registeredAt),
  updated_at: iso(h.updatedAt),
  crl_status: crl.status,
  crl_age_seconds: crl.ageSeconds,
  crl_next_update: isoOrNull(crl.nextUpdate),
  gpg_key_status: null,
  gpg_key_expires_at: null,
  online: h.online,
  last_seen_at: isoOrNull(h.lastSeenAt),
  reported_hostname: h.reportedHostname,
  tags: h.adminTags,
  labels: h.tags,
  boot: boot
    ? { boot_id: boot.bootId, kernel: boot.kernel, booted_at: iso(boot.bootedAt), reported_at: iso(boot.reportedAt) }
    : null,
});

/** A host with its last patch time and CRL state, as GET and PUT /hosts/{id} answer it. */
async function hostDetail(ctx: svc.DomainContext, host: svc.HostRow) {
  const [lastPatchAt, crl, boot] = await Promise.all([
    svc.hostLastPatchAt(ctx, host.id),
    svc.hostCrlOf(ctx, host.id),
    svc.hostBootOf(ctx, host.id),
  ]);
  return detailBody(host, lastPatchAt, crl, boot);
}

const vis = (c: Parameters<typeof currentIdentity>[0]) => svc.visibilityOf(currentIdentity(c));

export const list: RouteHandler<typeof r.list, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await svc.listHosts(await domain(c), q, vis(c));
  return c.json({ hosts: page.hosts.map(summaryBody), total: page.total, limit: q.limit, offset: q.offset }, 200);
};

export const get: RouteHandler<typeof r.get, AppEnv> = async (c) => {
  const ctx = await domain(c);
  return c.json(await hostDetail(ctx, await svc.getVisibleHost(ctx, c.req.valid("param").id, vis(c))), 200);
};

export const update: RouteHandler<typeof r.update, AppEnv> = async (c) => {
  const ctx = await domain(c);
  return c.json(
    await hostDetail(ctx, await svc.updateHost(ctx, c.req.valid("param").id, c.req.valid("json"), vis(c))),
    200,
  );
};

export const remove: RouteHandler<typeof r.remove, AppEnv> = async (c) => {
  await svc.removeHost(await domain(c), c.req.valid("param").id, vis(c));
  return c.json({ message: "Host removed" }, 200);
};

export const groupsOf: RouteHandler<typeof r.groupsOf, AppEnv> = async (c) =>
  c.json((await svc.hostGroupsOf(await domain(c), c.req.valid("param").id, vis(c))).map(groupBody), 200);

export const addGroup: RouteHandler<typeof r.addGroup, AppEnv> = async (c) => {
  await svc.addHostToGroup(await domain(c), c.req.valid("param").id, c.req.valid("json").group_id, vis(c));
  return c.json({ message: "Host added to group" }, 200);
};

export const removeGroup: RouteHandler<typeof r.removeGroup, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  await svc.removeHostFromGroup(await domain(c), p.id, p.group_id, vis(c));
  return c.json({ message: "Host removed from group" }, 200);
};

export const scripts: RouteHandler<typeof r.scripts, AppEnv> = async (c) =>
  c.json(
    (await svc.hostScriptsOf(await domain(c), c.req.valid("param").id, vis(c))).map((s) => ({
      name: s.name,
      path: s.path,
      description: s.description,
      executable: s.executable,
      sha256: s.sha256,
      updated_at: iso(s.updatedAt),
    })),
    200,
  );
