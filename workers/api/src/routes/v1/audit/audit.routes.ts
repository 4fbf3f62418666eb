import { AuditIntegrity, AuditPage, AuditQuery, errorResponses, json } from "@fleetgate/contract";
import { protectedRoute } from "../route";

export const list = protectedRoute("/audit", "admin", {
  method: "get",
  path: "",
  tags: ["Audit"],
  summary: "Audit entries, newest first, with filters and cursor pagination",
  request: { query: AuditQuery },
  responses: { 200: json(AuditPage), ...errorResponses(400, 401, 403) },
});

export const integrity = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/audit-integrity",
  tags: ["Audit"],
  summary: "Recompute the hash chain and report every broken link",
  responses: { 200: json(AuditIntegrity), ...errorResponses(401, 403) },
});
