import { ZentralTaskResult } from "@fleetgate/contract";
import { createRoute, z } from "@hono/zod-openapi";
import { zentralAuth } from "../auth";
import { drfError, drfOk } from "../responses";

const params = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, description: "The task's id (lowercase)" }),
});

export const getTaskResult = createRoute({
  method: "get",
  path: "/task_result/{id}/",
  operationId: "getTaskResult",
  summary: "A task's state and result (an unknown or foreign task answers status UNKNOWN)",
  middleware: zentralAuth,
  security: [{ Token: [] }, { Bearer: [] }],
  request: { params },
  responses: {
    200: drfOk(ZentralTaskResult, "The task"),
    401: drfError("Missing or invalid credentials (WWW-Authenticate: Token)"),
    403: drfError("Source address not allowed"),
  },
});

export const downloadTaskResult = createRoute({
  method: "get",
  path: "/task_result/{id}/download/",
  operationId: "downloadTaskResult",
  summary: "Redirect to a short-lived signed link to the task's file",
  middleware: zentralAuth,
  security: [{ Token: [] }, { Bearer: [] }],
  request: { params },
  responses: {
    302: { description: "Location: the signed link" },
    401: drfError("Missing or invalid credentials (WWW-Authenticate: Token)"),
    403: drfError("Source address not allowed"),
    404: drfError("No such task or file"),
  },
});
