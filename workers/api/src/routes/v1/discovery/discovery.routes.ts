import {
  DiscoveredHostList,
  DiscoveryScanRequest,
  DiscoveryScanStarted,
  DiscoveryScanStatus,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  RegisterDiscoveredRequest,
  RegisterDiscoveredResponse,
  ScanIdParam,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Discovery"];
const P = "/discovery";

export const startScan = protectedRoute(P, "write", {
  method: "post",
  path: "/cidr",
  tags,
  summary:
    "Scan a range (inside the allowlisted discovery CIDRs, at most a /22) through an online agent in that network",
  request: { body: jsonBody(DiscoveryScanRequest) },
  responses: {
    200: json(DiscoveryScanStarted, "Scan handed to the agent"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export const scanResults = protectedRoute(P, "read", {
  method: "get",
  path: "/{scan_id}",
  tags,
  summary: "The addresses of a scan where something answered (poll until the scan's status is final)",
  request: { params: ScanIdParam },
  responses: { 200: json(DiscoveredHostList), ...errorResponses(400, 401, 403, 404) },
});

export const scanStatus = protectedRoute(P, "read", {
  method: "get",
  path: "/{scan_id}/status",
  tags,
  summary: "Whether a scan is still running, how many addresses it probed and found",
  request: { params: ScanIdParam },
  responses: { 200: json(DiscoveryScanStatus), ...errorResponses(400, 401, 403, 404) },
});

export const registerDiscovered = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/register",
  tags,
  summary: "Register a discovered address as a host with a one-time enrollment and its install command",
  request: { params: IdParam, body: jsonBody(RegisterDiscoveredRequest) },
  responses: { 200: json(RegisterDiscoveredResponse, "Registered"), ...errorResponses(400, 401, 403, 404, 409) },
});
