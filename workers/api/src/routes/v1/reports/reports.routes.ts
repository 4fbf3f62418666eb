import {
  CaHealth,
  errorResponses,
  FleetStatus,
  FleetStatusQuery,
  json,
  ReportQuery,
  ReportTypeParam,
  StatusHistory,
  StatusHistoryQuery,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Status and reports"];

export const fleetStatus = protectedRoute("/status", "read", {
  method: "get",
  path: "/fleet",
  tags,
  summary: "Fleet status over the hosts the caller may see (docs/reports.md defines every figure)",
  request: { query: FleetStatusQuery },
  responses: { 200: json(FleetStatus), ...errorResponses(400, 401, 404) },
});

export const statusHistory = protectedRoute("/status", "read", {
  method: "get",
  path: "/history",
  tags,
  summary: "Compliance history (daily and on-change snapshots) of the fleet or one group, for charts",
  description:
    "Without `group_id` the fleet's series (admins only: it counts every host; others get 400 and must name a group); with it, that group's (admins, or members of the group; others get 404). Default period: the last 90 days up to now. `from`/`to`: a date (UTC; `to` includes that day) or an RFC 3339 date-time.",
  request: { query: StatusHistoryQuery },
  responses: { 200: json(StatusHistory), ...errorResponses(400, 401, 404) },
});

export const caHealth = protectedRoute("/ca", "read", {
  method: "get",
  path: "/health",
  tags,
  summary: "Health of the CA's CRL and of the deployment's public TLS name",
  responses: { 200: json(CaHealth), ...errorResponses(401) },
});

const file = (description: string) => ({
  description,
  content: {
    "text/csv; charset=utf-8": { schema: z.string() },
    "application/pdf": { schema: z.string().openapi({ format: "binary" }) },
  },
});

export const report = protectedRoute("/reports", "read", {
  method: "get",
  path: "/{type}",
  tags,
  summary: "A report as a file: compliance, patch-history, vulnerability or audit (admins), CSV or PDF",
  description:
    'Rows cover the hosts the caller may see. `Content-Disposition: attachment; filename="<type>-report.<ext>"`. For large fleets use `POST /exports {"kind":"report:<type>"}`.',
  request: { params: ReportTypeParam, query: ReportQuery },
  responses: { 200: file("The report"), ...errorResponses(400, 401, 403, 404) },
});
