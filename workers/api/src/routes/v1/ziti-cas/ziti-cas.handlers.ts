import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./ziti-cas.routes";

const view = (ca: svc.ZitiCaView) => ({
  ...ca,
  createdAt: new Date(ca.createdAt).toISOString(),
  updatedAt: new Date(ca.updatedAt).toISOString(),
});

export const listCas: RouteHandler<typeof r.listCas, AppEnv> = async (c) =>
  c.json((await svc.listZitiCas(await domain(c))).map(view), 200);

export const createCa: RouteHandler<typeof r.createCa, AppEnv> = async (c) =>
  c.json(view(await svc.createZitiCa(await domain(c), c.req.valid("json"))), 201);

export const getCa: RouteHandler<typeof r.getCa, AppEnv> = async (c) =>
  c.json(view(await svc.getZitiCa(await domain(c), c.req.valid("param").id)), 200);

export const updateCa: RouteHandler<typeof r.updateCa, AppEnv> = async (c) =>
  c.json(view(await svc.updateZitiCa(await domain(c), c.req.valid("param").id, c.req.valid("json"))), 200);

export const deleteCa: RouteHandler<typeof r.deleteCa, AppEnv> = async (c) => {
  await svc.deleteZitiCa(await domain(c), c.req.valid("param").id);
  return c.json({ message: "Deleted" }, 200);
};

export const verifyCa: RouteHandler<typeof r.verifyCa, AppEnv> = async (c) =>
  c.json(view(await svc.verifyZitiCa(await domain(c), c.req.valid("param").id, c.req.valid("json").certPem)), 200);

export const caJwt: RouteHandler<typeof r.caJwt, AppEnv> = async (c) =>
  c.body(await svc.caEnrollmentJwt(await domain(c), c.req.valid("param").id), 200, {
    "content-type": "application/jwt",
  });
