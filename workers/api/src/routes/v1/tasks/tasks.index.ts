import {
  ExportOrReportRequest,
  errorResponses,
  IdParam,
  iso,
  isoOrNull,
  isReportExport,
  json,
  jsonBody,
  Message,
  Task,
  TaskCreated,
  TaskList,
  TaskListQuery,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { startExport, startReportExport } from "@fleetgate/tasks";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import { protectedRoute } from "../route";

/** A task's result as clients see it: never the internal file key (Zentral pops `filepath` too). */
export function publicResult(t: svc.TaskRow): Record<string, unknown> | null {
  if (t.status !== "SUCCESS" || !t.result || typeof t.result !== "object") return null;
  const { filepath: _, ...rest } = t.result;
  return rest;
}

export const taskResultUrl = (id: string) => `/api/task_result/${id}/`;
export const taskDownloadUrl = (t: svc.TaskRow) =>
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

const T = "/tasks";
const list = protectedRoute(T, "self", {
  method: "get",
  path: "",
  tags: ["Tasks"],
  summary: "The caller's tasks, newest first (admins: everyone's)",
  request: { query: TaskListQuery },
  responses: { 200: json(TaskList), ...errorResponses(400, 401) },
});
const get = protectedRoute(T, "self", {
  method: "get",
  path: "/{id}",
  tags: ["Tasks"],
  summary: "One task (its creator or an admin)",
  request: { params: IdParam },
  responses: { 200: json(Task), ...errorResponses(400, 401, 404) },
});
const remove = protectedRoute(T, "self", {
  method: "delete",
  path: "/{id}",
  tags: ["Tasks"],
  summary: "Delete a task and its file; its download links stop working",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 404) },
});

export const tasksRouter = createRouter()
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const page = await svc.listTasks(await domain(c), viewer(currentIdentity(c)), q);
    return c.json({ tasks: page.tasks.map(taskBody), total: page.total, limit: q.limit, offset: q.offset }, 200);
  })
  .openapi(get, async (c) =>
    c.json(
      taskBody(await svc.getVisibleTask(await domain(c), c.req.valid("param").id, viewer(currentIdentity(c)))),
      200,
    ),
  )
  .openapi(remove, async (c) => {
    await svc.deleteTaskAndFile(await domain(c), c.req.valid("param").id, viewer(currentIdentity(c)));
    return c.json({ message: "Task deleted" }, 200);
  });

const createExport = protectedRoute("/exports", "read", {
  method: "post",
  path: "",
  tags: ["Tasks"],
  summary: "Export hosts, jobs, certificates or the audit log as CSV or XLSX, or a report as CSV or PDF (asynchronous)",
  description:
    "`filters` are those of the matching list endpoint (an unknown filter is a 400); the file holds every matching row the caller may see. Reports (`report:compliance|patch-history|vulnerability|audit`) take `from`, `to`, `group_id` and give the file of `GET /reports/{type}`. Poll `task_result_url`, then follow `download_url`.",
  request: { body: jsonBody(ExportOrReportRequest) },
  responses: { 202: json(TaskCreated, "Accepted"), ...errorResponses(400, 401, 403, 415) },
});

export const exportsRouter = createRouter().openapi(createExport, async (c) => {
  const body = c.req.valid("json");
  const me = currentIdentity(c);
  if (isReportExport(body)) {
    const task = await startReportExport(await domain(c), me, body);
    return c.json({ task_id: task.id, task_result_url: taskResultUrl(task.id) }, 202);
  }
  if (body.kind === "audit" && me.role !== "admin") throw new ApiError(403, "forbidden", "Access denied");
  const task = await startExport(await domain(c), body);
  return c.json({ task_id: task.id, task_result_url: taskResultUrl(task.id) }, 202);
});
