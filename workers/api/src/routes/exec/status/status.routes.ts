import { StatusResponse } from "@fleetgate/contract";
import { createRoute, z } from "@hono/zod-openapi";
import { execError, execOk } from "../responses";

/** A reqid: lowercase hex (anything else is the face's "no route" 404). */
export const REQID_PATH = "/status/:reqid{[a-f0-9]+}";

export const status = createRoute({
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
  responses: { 200: execOk(StatusResponse, "The run record"), 404: execError("Unknown, expired or not yours") },
});
