import { AsyncSubmitResponse, RunRequest, RunResponse } from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { execBody, execError, execOk } from "../responses";

export const run = createRoute({
  method: "post",
  path: "/run",
  operationId: "runScript",
  summary: "Run an allowlisted script on agents (sync: waits up to the 60 s read timeout per host)",
  request: { body: execBody(RunRequest) },
  responses: {
    200: execOk(RunResponse, "Results (sync)"),
    202: execOk(AsyncSubmitResponse, "Accepted (async); poll GET /status/{reqid}"),
    400: execError("Malformed request"),
    403: execError("Denied"),
    404: execError("Not a registered agent"),
    409: execError("The script is already running on a host (code 4, conflicts host:script)"),
  },
});
