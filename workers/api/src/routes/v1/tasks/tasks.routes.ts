import {
  ExportOrReportRequest,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  Task,
  TaskCreated,
  TaskList,
  TaskListQuery,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const T = "/tasks";
export const list = protectedRoute(T, "self", {
  method: "get",
  path: "",
  tags: ["Tasks"],
  summary: "The caller's tasks, newest first (admins: everyone's)",
  request: { query: TaskListQuery },
  responses: { 200: json(TaskList), ...errorResponses(400, 401) },
});
export const get = protectedRoute(T, "self", {
  method: "get",
  path: "/{id}",
  tags: ["Tasks"],
  summary: "One task (its creator or an admin)",
  request: { params: IdParam },
  responses: { 200: json(Task), ...errorResponses(400, 401, 404) },
});
export const remove = protectedRoute(T, "self", {
  method: "delete",
  path: "/{id}",
  tags: ["Tasks"],
  summary: "Delete a task and its file; its download links stop working",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 404) },
});

export const createExport = protectedRoute("/exports", "read", {
  method: "post",
  path: "",
  tags: ["Tasks"],
  summary: "Export hosts, jobs, certificates or the audit log as CSV or XLSX, or a report as CSV or PDF (asynchronous)",
  description:
    "`filters` are those of the matching list endpoint (an unknown filter is a 400); the file holds every matching row the caller may see. Reports (`report:compliance|patch-history|vulnerability|audit`) take `from`, `to`, `group_id` and give the file of `GET /reports/{type}`. Poll `task_result_url`, then follow `download_url`.",
  request: { body: jsonBody(ExportOrReportRequest) },
  responses: { 202: json(TaskCreated, "Accepted"), ...errorResponses(400, 401, 403, 415) },
});
