import {
  AddHostGroupRequest,
  errorResponses,
  Group,
  HostDetail,
  HostGroupParams,
  HostList,
  HostListQuery,
  HostScript,
  IdParam,
  iso,
  isoOrNull,
  json,
  jsonBody,
  Message,
  UpdateHostRequest,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { currentIdentity } from "../current";
import { protectedRoute } from "../route";

const tags = ["Hosts"];
const P = "/hosts";

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

const detailBody = (h: svc.HostRow, lastPatchAt: number | null, crl: HostCrl) => ({
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
  crl_age_seconds: null,
  crl_next_update: isoOrNull(crl.nextUpdate),
  gpg_key_status: null,
  gpg_key_expires_at: null,
  online: h.online,
  last_seen_at: isoOrNull(h.lastSeenAt),
  reported_hostname: h.reportedHostname,
  tags: h.adminTags,
  labels: h.tags,
});

const groupBody = (g: svc.GroupRow) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  created_at: iso(g.createdAt),
  updated_at: iso(g.updatedAt),
});

const list = protectedRoute(P, "read", {
  method: "get",
  path: "",
  tags,
  summary: "Hosts the caller may see, with filters, sorting and pagination; online state and last seen",
  request: { query: HostListQuery },
  responses: { 200: json(HostList), ...errorResponses(400, 401, 403) },
});
const get = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "One host",
  request: { params: IdParam },
  responses: { 200: json(HostDetail), ...errorResponses(400, 401, 403, 404) },
});
const update = protectedRoute(P, "write", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Edit a host's FQDN, IP address, display name or notes",
  request: { params: IdParam, body: jsonBody(UpdateHostRequest) },
  responses: { 200: json(HostDetail), ...errorResponses(400, 401, 403, 404) },
});
const remove = protectedRoute(P, "write", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Remove a host: its certificates are revoked and its agent disconnected",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const groupsOf = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/groups",
  tags,
  summary: "The groups of a host",
  request: { params: IdParam },
  responses: { 200: json(z.array(Group)), ...errorResponses(400, 401, 403, 404) },
});
const addGroup = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/groups",
  tags,
  summary: "Add a host to a group",
  request: { params: IdParam, body: jsonBody(AddHostGroupRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const removeGroup = protectedRoute(P, "write", {
  method: "delete",
  path: "/{id}/groups/{group_id}",
  tags,
  summary: "Remove a host from a group",
  request: { params: HostGroupParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const scripts = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/scripts",
  tags,
  summary: "The scripts the host's agent allowlists (as reported on its last connect)",
  request: { params: IdParam },
  responses: { 200: json(z.array(HostScript)), ...errorResponses(400, 401, 403, 404) },
});

const vis = (c: Parameters<typeof currentIdentity>[0]) => svc.visibilityOf(currentIdentity(c));

export const hostsRouter = createRouter()
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const page = await svc.listHosts(await domain(c), q, vis(c));
    return c.json({ hosts: page.hosts.map(summaryBody), total: page.total, limit: q.limit, offset: q.offset }, 200);
  })
  .openapi(get, async (c) => {
    const ctx = await domain(c);
    const host = await svc.getVisibleHost(ctx, c.req.valid("param").id, vis(c));
    return c.json(detailBody(host, await svc.hostLastPatchAt(ctx, host.id), await svc.hostCrlOf(ctx, host.id)), 200);
  })
  .openapi(update, async (c) => {
    const ctx = await domain(c);
    const host = await svc.updateHost(ctx, c.req.valid("param").id, c.req.valid("json"), vis(c));
    return c.json(detailBody(host, await svc.hostLastPatchAt(ctx, host.id), await svc.hostCrlOf(ctx, host.id)), 200);
  })
  .openapi(remove, async (c) => {
    await svc.removeHost(await domain(c), c.req.valid("param").id, vis(c));
    return c.json({ message: "Host removed" }, 200);
  })
  .openapi(groupsOf, async (c) =>
    c.json((await svc.hostGroupsOf(await domain(c), c.req.valid("param").id, vis(c))).map(groupBody), 200),
  )
  .openapi(addGroup, async (c) => {
    await svc.addHostToGroup(await domain(c), c.req.valid("param").id, c.req.valid("json").group_id, vis(c));
    return c.json({ message: "Host added to group" }, 200);
  })
  .openapi(removeGroup, async (c) => {
    const p = c.req.valid("param");
    await svc.removeHostFromGroup(await domain(c), p.id, p.group_id, vis(c));
    return c.json({ message: "Host removed from group" }, 200);
  })
  .openapi(scripts, async (c) =>
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
    ),
  );
