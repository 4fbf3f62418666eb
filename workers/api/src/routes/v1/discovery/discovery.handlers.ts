import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain, publicBase } from "../../../lib/domain-context";
import { installCommand } from "../../../lib/install-command";
import { currentIdentity } from "../current";
import type * as r from "./discovery.routes";

const vis = (c: Context<AppEnv>) => svc.visibilityOf(currentIdentity(c));

export const startScanHandler: RouteHandler<typeof r.startScan, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const scan = await svc.startDiscoveryScan(
    await domain(c),
    { cidr: b.cidr, agentPort: b.agent_port, viaHostId: b.via_host_id, viaTag: b.via_tag },
    vis(c),
  );
  return c.json(
    {
      scan_id: scan.id,
      message: "Discovery scan started" as const,
      cidr: scan.cidr,
      via_host_id: scan.viaHostId ?? "",
    },
    200,
  );
};

export const scanResultsHandler: RouteHandler<typeof r.scanResults, AppEnv> = async (c) => {
  const { rows } = await svc.getDiscoveryScan(await domain(c), c.req.valid("param").scan_id, vis(c));
  return c.json(
    rows.map((h) => ({
      id: h.id,
      scan_id: h.scanId,
      ip_address: h.ipAddress,
      fqdn: h.fqdn ?? h.identity?.common_name ?? null,
      agent_version: h.known?.agentVersion || null,
      os_name: h.known?.osName || null,
      agent_port: h.agentPort,
      discovered_at: iso(h.discoveredAt),
      registered: h.registered,
      agent_port_open: h.agentPortOpen,
      ssh_open: h.sshOpen,
      agent_identity: h.identity,
      host_id: h.known?.id ?? null,
    })),
    200,
  );
};

export const scanStatusHandler: RouteHandler<typeof r.scanStatus, AppEnv> = async (c) => {
  const { scan, rows } = await svc.getDiscoveryScan(await domain(c), c.req.valid("param").scan_id, vis(c));
  return c.json(
    {
      scan_id: scan.id,
      cidr: scan.cidr,
      agent_port: scan.agentPort,
      via_host_id: scan.viaHostId,
      status: scan.status,
      probed: scan.probed,
      found: rows.length,
      error: scan.error,
      started_at: iso(scan.createdAt),
      completed_at: scan.completedAt === null ? null : iso(scan.completedAt),
    },
    200,
  );
};

export const registerDiscoveredHandler: RouteHandler<typeof r.registerDiscovered, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const { hostId, enrollment } = await svc.registerDiscoveredHost(
    await domain(c),
    c.req.valid("param").id,
    { displayName: b.display_name, groupIds: b.group_ids },
    vis(c),
  );
  const jwt = enrollment.jwt ?? "";
  return c.json(
    {
      host_id: hostId,
      message: "Host registered from discovery" as const,
      enrollment: { id: enrollment.id, jwt, expires_at: iso(enrollment.expiresAt) },
      install_command: installCommand(publicBase(c), jwt),
    },
    200,
  );
};
