import { rotateSigningKey } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./signing-keys.routes";

export const rotate: RouteHandler<typeof r.rotate, AppEnv> = async (c) => {
  const kid = await rotateSigningKey(await domain(c));
  return c.json({ kid, message: "Signing key rotated" }, 200);
};
