import { errorResponses, json, OsvFeedStatusList } from "@fleetgate/contract";
import { protectedRoute } from "../route";

export const feeds = protectedRoute("/vulnerabilities", "admin", {
  method: "get",
  path: "/feeds",
  tags: ["Status and reports"],
  summary: "OSV import status per feed: last attempt, last success, records in force, last error (admins)",
  description:
    'From the imports the cron refresh writes (docs/reports.md "OSV import"). Admins only, as the `osv` setting it reports on.',
  responses: { 200: json(OsvFeedStatusList), ...errorResponses(401, 403) },
});
