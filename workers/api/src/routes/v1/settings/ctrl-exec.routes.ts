import { CtrlExecSettings, errorResponses, json, jsonBody } from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Settings"];

export const getCtrlExec = protectedRoute("/settings", "admin", {
  method: "get",
  path: "/ctrl-exec",
  tags,
  summary: "Anonymous access to the ctrl-exec face (denied unless configured)",
  responses: { 200: json(CtrlExecSettings), ...errorResponses(401, 403) },
});
export const putCtrlExec = protectedRoute("/settings", "admin", {
  method: "put",
  path: "/ctrl-exec",
  tags,
  summary: "Allow ctrl-exec discovery / status / ping without a token from these source addresses",
  request: { body: jsonBody(CtrlExecSettings) },
  responses: { 200: json(CtrlExecSettings), ...errorResponses(400, 401, 403) },
});
