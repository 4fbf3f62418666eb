import { CtrlExecSettings, errorResponses, json, jsonBody } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { protectedRoute } from "../route";

const tags = ["Settings"];

const get = protectedRoute("/settings", "admin", {
  method: "get",
  path: "/ctrl-exec",
  tags,
  summary: "Anonymous access to the ctrl-exec face (denied unless configured)",
  responses: { 200: json(CtrlExecSettings), ...errorResponses(401, 403) },
});
const put = protectedRoute("/settings", "admin", {
  method: "put",
  path: "/ctrl-exec",
  tags,
  summary: "Allow ctrl-exec discovery / status / ping without a token from these source addresses",
  request: { body: jsonBody(CtrlExecSettings) },
  responses: { 200: json(CtrlExecSettings), ...errorResponses(400, 401, 403) },
});

export const ctrlExecSettingsRouter = createRouter()
  .openapi(get, async (c) => c.json(await svc.getExecSettings(await domain(c)), 200))
  .openapi(put, async (c) => c.json(await svc.putExecSettings(await domain(c), c.req.valid("json")), 200));
