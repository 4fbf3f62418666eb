import { iso, isoOrNull, isReportExport } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { startExport, startReportExport } from "@fleetgate/tasks";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import type * as r from "./tasks.routes";

/** A task's result as clients see it: never the internal file key (Zentral pops `filepath` too). */
function publicResult(t: svc.TaskRow): Record<string, unknown> | null {
  if (t.status !== "SUCCESS" || !t.result || typeof t.result !== "object") return null;
  const { filepath: _, ...rest } = t.result;
  return rest;
}

const taskResultUrl = (id: string) => `/api/task_result/${id}/`;
const taskDownloadUrl = (t: svc.TaskRow) =>
  t.status === "SUCCESS" && t.fileKey ? `/api/task_result/${t.id}/download/` : null;

const taskBody = (t: svc.TaskRow) => ({
  id: t.id,
  name: t.name,
  status: t.status,
  unready: svc.isUnready(t.status),
  created_by: t.createdBy,
  created_at: iso(t.createdAt),
  started_at: isoOrNull(t.startedAt),
  finished_at: isoOrNull(t.finishedAt),
  attempts: t.attempts,
  error: t.error,
  result: publicResult(t),
  download_url: taskDownloadUrl(t),
});

const viewer = (i: svc.IdentityRow) => ({ id: i.id, role: i.role });

export const list: RouteHandler<typeof r.list, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await svc.listTasks(await domain(c), viewer(currentIdentity(c)), q);
  return c.json({ tasks: page.tasks.map(taskBody), total: page.total, limit: q.limit, offset: q.offset }, 200);
};

export const get: RouteHandler<typeof r.get, AppEnv> = async (c) =>
  c.json(taskBody(await svc.getVisibleTask(await domain(c), c.req.valid("param").id, viewer(currentIdentity(c)))), 200);

export const remove: RouteHandler<typeof r.remove, AppEnv> = async (c) => {
  await svc.deleteTaskAndFile(await domain(c), c.req.valid("param").id, viewer(currentIdentity(c)));
  return c.json({ message: "Task deleted" }, 200);
};

export const createExport: RouteHandler<typeof r.createExport, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const me = currentIdentity(c);
  if (isReportExport(body)) {
    const task = await startReportExport(await domain(c), me, body);
    return c.json({ task_id: task.id, task_result_url: taskResultUrl(task.id) }, 202);
  }
  if (body.kind === "audit" && me.role !== "admin") throw new ApiError(403, "forbidden", "Access denied");
  const task = await startExport(await domain(c), body);
  return c.json({ task_id: task.id, task_result_url: taskResultUrl(task.id) }, 202);
};
