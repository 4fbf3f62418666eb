import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./ctrl-exec.routes";

export const getCtrlExec: RouteHandler<typeof r.getCtrlExec, AppEnv> = async (c) =>
  c.json(await svc.getExecSettings(await domain(c)), 200);

export const putCtrlExec: RouteHandler<typeof r.putCtrlExec, AppEnv> = async (c) =>
  c.json(await svc.putExecSettings(await domain(c), c.req.valid("json")), 200);
