import {
  CreateJobRequest,
  errorResponses,
  IdParam,
  JobCreated,
  JobDetail,
  JobHostParams,
  JobList,
  JobListQuery,
  JobOutputQuery,
  json,
  jsonBody,
  Message,
  RollbackCreated,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Jobs"];
const P = "/jobs";

const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Idempotency-Key: same key → the same job back",
    }),
});

export const create = protectedRoute(P, "write", {
  method: "post",
  path: "",
  tags,
  summary:
    "Run an allowlisted script on hosts (by id, or by group/tag filter), in waves; or a patch job (kind patch_apply, the reference body; patch_remove: remove named packages, vaulted first)",
  request: { headers: IdempotencyHeader, body: jsonBody(CreateJobRequest) },
  responses: { 200: json(JobCreated), ...errorResponses(400, 401, 403, 409), 422: json(z.unknown(), "No hosts") },
});
export const list = protectedRoute(P, "read", {
  method: "get",
  path: "",
  tags,
  summary: "Jobs the caller may see, newest first",
  request: { query: JobListQuery },
  responses: { 200: json(JobList), ...errorResponses(400, 401, 403) },
});
export const get = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "A job and its per-host rows with output",
  request: { params: IdParam },
  responses: { 200: json(JobDetail), ...errorResponses(400, 401, 403, 404) },
});
export const output = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/hosts/{host_id}/output",
  tags,
  summary: "The full stdout or stderr of one host (beyond the preview in the job)",
  request: { params: JobHostParams, query: JobOutputQuery },
  responses: {
    200: { description: "Output", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(400, 401, 403, 404),
  },
});
export const cancel = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/cancel",
  tags,
  summary:
    "Cancel a job: patch jobs only while queued or pending (409 invalid_state otherwise); script jobs also while running (pending hosts never start, running scripts are stopped)",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
});
export const rollback = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/rollback",
  tags,
  summary: "Roll the hosts of a finished patch job back to their exact pre-patch versions (a new job of kind rollback)",
  request: { params: IdParam },
  responses: {
    200: json(RollbackCreated),
    ...errorResponses(400, 401, 403, 404, 409),
    422: json(z.unknown(), "No hosts to roll back"),
  },
});
