import { errorResponses, json } from "@fleetgate/contract";
import { rotateSigningKey } from "@fleetgate/domain";
import { z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { protectedRoute } from "../route";

const rotate = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/signing-keys/rotate",
  tags: ["Settings"],
  summary: "Start signing access tokens with a new key; the old one keeps verifying until its tokens expire",
  responses: {
    200: json(z.object({ kid: z.string(), message: z.string() }).openapi("RotatedKey")),
    ...errorResponses(401, 403),
  },
});

export const signingKeysRouter = createRouter().openapi(rotate, async (c) => {
  const ctx = await domain(c);
  const kid = await rotateSigningKey(ctx);
  return c.json({ kid, message: "Signing key rotated" }, 200);
});
