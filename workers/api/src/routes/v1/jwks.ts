import { publicJwks } from "@fleetgate/auth";
import { publishedKeys } from "@fleetgate/domain";
import { domain } from "../../lib/domain-context";
import { createRouter } from "../../lib/router";

/** `GET /.well-known/jwks.json`: keys that verify Fleetgate access tokens (active + retiring). */
export const jwksRouter = createRouter().get("/.well-known/jwks.json", async (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(publicJwks(await publishedKeys(await domain(c))));
});
