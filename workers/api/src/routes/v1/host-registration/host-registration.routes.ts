import { errorResponses, json, jsonBody, RegisterHostRequest, RegisterHostResponse } from "@fleetgate/contract";
import { protectedRoute } from "../route";

export const registerHost = protectedRoute("/hosts", "write", {
  method: "post",
  path: "",
  tags: ["Hosts"],
  summary: "Register a host by FQDN (resolved via DNS-over-HTTPS) with a one-time enrollment and its install command",
  request: { body: jsonBody(RegisterHostRequest) },
  responses: { 201: json(RegisterHostResponse, "Registered"), ...errorResponses(400, 401, 403, 409) },
});
