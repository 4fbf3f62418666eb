import { json } from "@fleetgate/contract";
import { createRoute, z } from "@hono/zod-openapi";

/** A JSON Web Key Set (RFC 7517 §5). */
const Jwks = z.object({ keys: z.array(z.unknown()) });

/** `GET /.well-known/jwks.json` (public; mounted at the root, outside the /api/v1 document). */
export const jwks = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  tags: ["Auth"],
  summary: "Keys that verify Fleetgate access tokens (active + retiring)",
  security: [],
  responses: { 200: json(Jwks) },
});
