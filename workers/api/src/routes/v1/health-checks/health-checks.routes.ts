import {
  CheckIdParam,
  CreateHealthCheckAliasRequest,
  CreateHealthCheckRequest,
  errorResponses,
  HealthCheck,
  HealthCheckCreated,
  HealthCheckList,
  HealthCheckListQuery,
  HealthCheckTestResult,
  HostCheckParams,
  HostIdParam,
  json,
  jsonBody,
  Message,
  UpdateHealthCheckRequest,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Health checks"];
const H = "/hosts";
const A = "/health-checks";

// Host-scoped paths (the reference product's real routes).
export const listHostChecks = protectedRoute(H, "read", {
  method: "get",
  path: "/{host_id}/health-checks",
  tags,
  summary: "A host's health checks with their latest result",
  request: { params: HostIdParam },
  responses: { 200: json(HealthCheckList), ...errorResponses(400, 401, 403, 404) },
});
export const createHostCheck = protectedRoute(H, "write", {
  method: "post",
  path: "/{host_id}/health-checks",
  tags,
  summary: "Add a check (service or http; at most 5 per host → 400 limit_exceeded); basic_auth_pass is write-only",
  request: { params: HostIdParam, body: jsonBody(CreateHealthCheckRequest) },
  responses: { 201: json(HealthCheckCreated, "Created"), ...errorResponses(400, 401, 403, 404) },
});
export const getHostCheck = protectedRoute(H, "read", {
  method: "get",
  path: "/{host_id}/health-checks/{check_id}",
  tags,
  summary: "One check with its latest result",
  request: { params: HostCheckParams },
  responses: { 200: json(HealthCheck), ...errorResponses(400, 401, 403, 404) },
});
export const updateHostCheck = protectedRoute(H, "write", {
  method: "put",
  path: "/{host_id}/health-checks/{check_id}",
  tags,
  summary: "Change some fields of a check (basic_auth_pass: null removes it, absent keeps it)",
  request: { params: HostCheckParams, body: jsonBody(UpdateHealthCheckRequest) },
  responses: { 200: json(HealthCheck), ...errorResponses(400, 401, 403, 404) },
});
export const deleteHostCheck = protectedRoute(H, "write", {
  method: "delete",
  path: "/{host_id}/health-checks/{check_id}",
  tags,
  summary: "Delete a check and its results",
  request: { params: HostCheckParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});

// `/health-checks` aliases (the reference's API document).
export const listChecks = protectedRoute(A, "read", {
  method: "get",
  path: "",
  tags,
  summary: "Health checks on the hosts the caller may see (optionally one host's)",
  request: { query: HealthCheckListQuery },
  responses: { 200: json(HealthCheckList), ...errorResponses(400, 401, 403, 404) },
});
export const createCheck = protectedRoute(A, "write", {
  method: "post",
  path: "",
  tags,
  summary: "Add a check to the host named by host_id",
  request: { body: jsonBody(CreateHealthCheckAliasRequest) },
  responses: { 201: json(HealthCheckCreated, "Created"), ...errorResponses(400, 401, 403, 404) },
});
export const getCheck = protectedRoute(A, "read", {
  method: "get",
  path: "/{check_id}",
  tags,
  summary: "One check with its latest result",
  request: { params: CheckIdParam },
  responses: { 200: json(HealthCheck), ...errorResponses(400, 401, 403, 404) },
});
export const updateCheck = protectedRoute(A, "write", {
  method: "put",
  path: "/{check_id}",
  tags,
  summary: "Change some fields of a check",
  request: { params: CheckIdParam, body: jsonBody(UpdateHealthCheckRequest) },
  responses: { 200: json(HealthCheck), ...errorResponses(400, 401, 403, 404) },
});
export const deleteCheck = protectedRoute(A, "write", {
  method: "delete",
  path: "/{check_id}",
  tags,
  summary: "Delete a check and its results",
  request: { params: CheckIdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});

export const testHostCheck = protectedRoute(H, "write", {
  method: "post",
  path: "/{host_id}/health-checks/{check_id}/test",
  tags,
  summary:
    "Run the check on the host's agent now (the result is kept; unhealthy with the reason when the agent cannot run it)",
  request: { params: HostCheckParams },
  responses: { 200: json(HealthCheckTestResult), ...errorResponses(400, 401, 403, 404) },
});
export const testCheck = protectedRoute(A, "write", {
  method: "post",
  path: "/{check_id}/test",
  tags,
  summary: "Run the check on the host's agent now",
  request: { params: CheckIdParam },
  responses: { 200: json(HealthCheckTestResult), ...errorResponses(400, 401, 403, 404) },
});
