import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import type * as r from "./health-checks.routes";

const vis = (c: Context<AppEnv>) => svc.visibilityOf(currentIdentity(c));

/** The reference check object; the password is never part of it. */
export function checkBody(h: svc.HealthCheckWithResult) {
  const res = h.lastResult;
  return {
    id: h.id,
    host_id: h.hostId,
    name: h.name,
    check_type: h.checkType,
    enabled: h.enabled,
    service_name: h.serviceName,
    url: h.url,
    expected_body: h.expectedBody,
    ignore_cert_errors: h.ignoreCertErrors,
    basic_auth_user: h.basicAuthUser,
    target_host_id: h.targetHostId,
    created_at: iso(h.createdAt),
    updated_at: iso(h.updatedAt),
    last_result: res
      ? {
          id: res.id,
          check_id: res.checkId,
          healthy: res.healthy,
          detail: res.detail,
          latency_ms: res.latencyMs,
          checked_at: iso(res.checkedAt),
        }
      : null,
  };
}

async function create(c: Context<AppEnv>, hostId: string, body: svc.HealthCheckInput) {
  const row = await svc.createCheck(await domain(c), hostId, body, vis(c));
  return {
    id: row.id,
    host_id: row.hostId,
    name: row.name,
    check_type: row.checkType,
    enabled: row.enabled,
    target_host_id: row.targetHostId,
  };
}

const list = (rows: svc.HealthCheckWithResult[]) => ({
  checks: rows.map(checkBody),
  total: rows.length,
});

export const listHostChecks: RouteHandler<typeof r.listHostChecks, AppEnv> = async (c) =>
  c.json(list(await svc.listHostChecks(await domain(c), c.req.valid("param").host_id, vis(c))), 200);

export const createHostCheck: RouteHandler<typeof r.createHostCheck, AppEnv> = async (c) =>
  c.json(await create(c, c.req.valid("param").host_id, c.req.valid("json")), 201);

export const getHostCheck: RouteHandler<typeof r.getHostCheck, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  return c.json(checkBody(await svc.getCheck(await domain(c), p.check_id, vis(c), p.host_id)), 200);
};

export const updateHostCheck: RouteHandler<typeof r.updateHostCheck, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  const row = await svc.updateCheck(await domain(c), p.check_id, c.req.valid("json"), vis(c), p.host_id);
  return c.json(checkBody(row), 200);
};

export const deleteHostCheck: RouteHandler<typeof r.deleteHostCheck, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  await svc.deleteCheck(await domain(c), p.check_id, vis(c), p.host_id);
  return c.json({ message: "Health check deleted" }, 200);
};

export const listChecks: RouteHandler<typeof r.listChecks, AppEnv> = async (c) =>
  c.json(list(await svc.listAllChecks(await domain(c), vis(c), c.req.valid("query").host_id)), 200);

export const createCheck: RouteHandler<typeof r.createCheck, AppEnv> = async (c) => {
  const { host_id, ...body } = c.req.valid("json");
  return c.json(await create(c, host_id, body), 201);
};

export const getCheck: RouteHandler<typeof r.getCheck, AppEnv> = async (c) =>
  c.json(checkBody(await svc.getCheck(await domain(c), c.req.valid("param").check_id, vis(c))), 200);

export const updateCheck: RouteHandler<typeof r.updateCheck, AppEnv> = async (c) =>
  c.json(
    checkBody(await svc.updateCheck(await domain(c), c.req.valid("param").check_id, c.req.valid("json"), vis(c))),
    200,
  );

export const deleteCheck: RouteHandler<typeof r.deleteCheck, AppEnv> = async (c) => {
  await svc.deleteCheck(await domain(c), c.req.valid("param").check_id, vis(c));
  return c.json({ message: "Health check deleted" }, 200);
};

export const testHostCheck: RouteHandler<typeof r.testHostCheck, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  return c.json(await svc.testCheck(await domain(c), p.check_id, vis(c), p.host_id), 200);
};

export const testCheck: RouteHandler<typeof r.testCheck, AppEnv> = async (c) =>
  c.json(await svc.testCheck(await domain(c), c.req.valid("param").check_id, vis(c)), 200);
