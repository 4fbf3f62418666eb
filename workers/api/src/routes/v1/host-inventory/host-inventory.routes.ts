import {
  errorResponses,
  HostPackageList,
  HostPackagesQuery,
  HostUpdateList,
  HostUpdatesQuery,
  IdParam,
  json,
  Message,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Hosts"];
const P = "/hosts";

export const listPackages = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/packages",
  tags,
  summary: "Installed packages as the host's agent last reported them (name order, paginated)",
  request: { params: IdParam, query: HostPackagesQuery },
  responses: { 200: json(HostPackageList), ...errorResponses(400, 401, 403, 404) },
});

export const listUpdates = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/updates",
  tags,
  summary: "Pending updates (security first, then unknown, then the rest; paginated)",
  request: { params: IdParam, query: HostUpdatesQuery },
  responses: { 200: json(HostUpdateList), ...errorResponses(400, 401, 403, 404) },
});

export const refresh = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/refresh",
  tags,
  summary: "Ask the host's agent for a fresh inventory (an offline agent reports when it connects)",
  request: { params: IdParam },
  responses: { 202: json(Message, "Accepted"), ...errorResponses(400, 401, 403, 404) },
});
