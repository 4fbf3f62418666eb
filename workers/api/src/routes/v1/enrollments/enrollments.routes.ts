import {
  CreateEnrollmentRequest,
  Enrollment,
  EnrollStatus,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  PendingEnrollment,
  PendingEnrollmentListQuery,
  PollingTokenParam,
  SelfEnrollRequest,
} from "@fleetgate/contract";
import { createRoute, z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Enrollment"];

export const createEnrollment = protectedRoute("/enrollments", "admin", {
  method: "post",
  path: "",
  tags,
  summary: "Create an identity and its one-time enrollment (Ziti ott/updb JWT)",
  request: { body: jsonBody(CreateEnrollmentRequest) },
  responses: { 201: json(Enrollment, "Created"), ...errorResponses(400, 401, 403, 409) },
});
export const listEnrollments = protectedRoute("/enrollments", "admin", {
  method: "get",
  path: "",
  tags,
  summary: "Enrollments (the JWT is shown until used)",
  responses: { 200: json(z.array(Enrollment)), ...errorResponses(401, 403) },
});
export const deleteEnrollment = protectedRoute("/enrollments", "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete an enrollment (its token stops working)",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});

export const selfEnroll = createRoute({
  method: "post",
  path: "/enroll",
  tags,
  summary: "A host asks to be enrolled; an admin approves (rate-limited)",
  security: [],
  request: { body: jsonBody(SelfEnrollRequest) },
  responses: {
    202: json(z.object({ polling_token: z.string() }), "Accepted"),
    ...errorResponses(400, 409, 429),
  },
});
export const enrollStatus = createRoute({
  method: "get",
  path: "/enroll/status/{token}",
  tags,
  summary: "Poll a self-enrollment: pending | approved (bundle, once, within 600 s) | denied | notfound",
  security: [],
  request: { params: PollingTokenParam },
  responses: { 200: json(EnrollStatus), ...errorResponses(400) },
});

export const listPending = protectedRoute("/admin/enrollments", "admin", {
  method: "get",
  path: "",
  tags,
  summary: "Pending self-enrollment requests, newest first (limit default 50, clamped to 200; offset)",
  request: { query: PendingEnrollmentListQuery },
  responses: { 200: json(z.array(PendingEnrollment)), ...errorResponses(400, 401, 403) },
});
export const approve = protectedRoute("/admin/enrollments", "admin", {
  method: "post",
  path: "/{id}/approve",
  tags,
  summary: "Approve: creates the host and issues its certificate",
  request: { params: IdParam },
  responses: {
    200: { description: "Approved (empty body)" },
    404: { description: "Unknown or no longer pending (empty body)" },
    409: json(
      z.object({
        error: z.literal("Host collision detected"),
        conflict: z.object({ existing_host: z.record(z.string(), z.unknown()), message: z.string() }),
      }),
      "FQDN or IP already exists",
    ),
    ...errorResponses(400, 401, 403),
  },
});
export const deny = protectedRoute("/admin/enrollments", "admin", {
  method: "delete",
  path: "/{id}/deny",
  tags,
  summary: "Deny a request",
  request: { params: IdParam },
  responses: {
    200: { description: "Denied (empty body)" },
    404: { description: "Unknown (empty body)" },
    ...errorResponses(400, 401, 403),
  },
});
