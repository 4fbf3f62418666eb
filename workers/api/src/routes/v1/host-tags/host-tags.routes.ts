import { errorResponses, IdParam, json, jsonBody, SetHostTagsRequest, SetHostTagsResponse } from "@fleetgate/contract";
import { protectedRoute } from "../route";

export const setTags = protectedRoute("/hosts", "admin", {
  method: "put",
  path: "/{id}/tags",
  tags: ["Hosts"],
  summary:
    "Replace a host's admin tags (what host_filter.tag and via_tag select; the agent's own report is only labels)",
  request: { params: IdParam, body: jsonBody(SetHostTagsRequest) },
  responses: { 200: json(SetHostTagsResponse), ...errorResponses(400, 401, 403, 404) },
});
