import {
  CreateWindowRequest,
  errorResponses,
  HostIdParam,
  HostWindowParams,
  json,
  jsonBody,
  MaintenanceWindow,
  Message,
  UpdateWindowRequest,
  WindowList,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Maintenance windows"];
const H = "/hosts";

export const listHostWindows = protectedRoute(H, "read", {
  method: "get",
  path: "/{host_id}/maintenance-windows",
  tags,
  summary: "A host's maintenance windows, each with its open or next occurrence",
  request: { params: HostIdParam },
  responses: { 200: json(WindowList), ...errorResponses(400, 401, 403, 404) },
});
export const createWindow = protectedRoute(H, "write", {
  method: "post",
  path: "/{host_id}/maintenance-windows",
  tags,
  summary: "Add a window: once|daily|weekly (recurrence_day 0-6, 0 = Sunday)|monthly (1-31), in an IANA time zone",
  request: { params: HostIdParam, body: jsonBody(CreateWindowRequest) },
  responses: { 200: json(MaintenanceWindow), ...errorResponses(400, 401, 403, 404) },
});
export const updateWindow = protectedRoute(H, "write", {
  method: "put",
  path: "/{host_id}/maintenance-windows/{win_id}",
  tags,
  summary: "Change some fields of a window (the result is validated as a whole)",
  request: { params: HostWindowParams, body: jsonBody(UpdateWindowRequest) },
  responses: { 200: json(MaintenanceWindow), ...errorResponses(400, 401, 403, 404) },
});
export const deleteWindow = protectedRoute(H, "write", {
  method: "delete",
  path: "/{host_id}/maintenance-windows/{win_id}",
  tags,
  summary: "Delete a window",
  request: { params: HostWindowParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const listAllWindows = protectedRoute("/maintenance-windows", "read", {
  method: "get",
  path: "",
  tags,
  summary: "Every window on the hosts the caller may see (calendar)",
  responses: { 200: json(WindowList), ...errorResponses(401, 403) },
});
