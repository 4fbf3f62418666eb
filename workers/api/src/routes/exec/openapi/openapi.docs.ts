import {
  AsyncSubmitResponse,
  DiscoveryRequest,
  DiscoveryResponse,
  ExecErrorResponse,
  PingRequest,
  PingResponse,
  RunRequest,
  RunResponse,
  StatusResponse,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import type { Router } from "../../../lib/router";

/**
 * The ctrl-exec operations, registered for `/openapi.json`. Their handlers
 * parse bodies by hand (ctrl-exec's fixed texts and order, any content type),
 * so the documentation is registered here rather than through route validators.
 */
const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ExecErrorResponse } },
});
const ok = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const body = (schema: z.ZodType, required = true) => ({ required, content: { "application/json": { schema } } });

export function registerExecDocs(router: Router): void {
  const r = router.openAPIRegistry;
  r.registerPath({
    method: "post",
    path: "/ping",
    operationId: "pingAgents",
    summary: "Ping agents (round trip over each agent's connection; per-host failures inline)",
    request: { body: body(PingRequest) },
    responses: {
      200: ok(PingResponse, "Ping results"),
      400: err("Malformed request"),
      403: err("Denied: code 1 denied, 2 bad credentials, 3 insufficient privilege"),
      404: err("Not a registered agent"),
    },
  });
  r.registerPath({
    method: "post",
    path: "/run",
    operationId: "runScript",
    summary: "Run an allowlisted script on agents (sync: waits up to the 60 s read timeout per host)",
    request: { body: body(RunRequest) },
    responses: {
      200: ok(RunResponse, "Results (sync)"),
      202: ok(AsyncSubmitResponse, "Accepted (async); poll GET /status/{reqid}"),
      400: err("Malformed request"),
      403: err("Denied"),
      404: err("Not a registered agent"),
      409: err("The script is already running on a host (code 4, conflicts host:script)"),
    },
  });
  r.registerPath({
    method: "get",
    path: "/status/{reqid}",
    operationId: "getRunStatus",
    summary: "The record of a run (sync: results; async: per-host state). Kept 24 h.",
    request: {
      params: z.object({
        reqid: z
          .string()
          .regex(/^[a-f0-9]+$/)
          .openapi({ param: { name: "reqid", in: "path" }, example: "a1b2c3d4e5f60718" }),
      }),
      headers: z.object({
        authorization: z.string().optional().openapi({ description: "Bearer <token>", example: "Bearer ztlu_…" }),
      }),
    },
    responses: { 200: ok(StatusResponse, "The run record"), 404: err("Unknown, expired or not yours") },
  });
  for (const method of ["get", "post"] as const) {
    r.registerPath({
      method,
      path: "/discovery",
      operationId: method === "get" ? "discoverAgentsGet" : "discoverAgentsPost",
      summary: "Registered agents and their allowlisted scripts",
      ...(method === "post" ? { request: { body: body(DiscoveryRequest, false) } } : {}),
      responses: {
        200: ok(DiscoveryResponse, "Capabilities keyed by registry name"),
        400: err("Malformed request"),
        403: err("Denied"),
        404: err("Not a registered agent"),
      },
    });
  }
  r.registerPath({
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenapi",
    summary: "This document (generated from Fleetgate's schemas)",
    responses: { 200: { description: "OpenAPI 3.1 document" } },
  });
  r.registerPath({
    method: "get",
    path: "/openapi-live.json",
    operationId: "getOpenapiLive",
    summary: "This document with the live host and script enums and x-ctrl-exec-scripts",
    responses: { 200: { description: "OpenAPI 3.1 document" }, 403: err("Denied") },
  });
}
