import { errorResponses, json } from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

export const rotate = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/signing-keys/rotate",
  tags: ["Settings"],
  summary: "Start signing access tokens with a new key; the old one keeps verifying until its tokens expire",
  responses: {
    200: json(z.object({ kid: z.string(), message: z.string() }).openapi("RotatedKey")),
    ...errorResponses(401, 403),
  },
});
