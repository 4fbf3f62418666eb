import { publicJwks } from "@fleetgate/auth";
import { publishedKeys } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./jwks.routes";

export const jwksHandler: RouteHandler<typeof r.jwks, AppEnv> = async (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(publicJwks(await publishedKeys(await domain(c))), 200);
};
