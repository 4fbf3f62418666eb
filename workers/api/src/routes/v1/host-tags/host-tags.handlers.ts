import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./host-tags.routes";

export const setTags: RouteHandler<typeof r.setTags, AppEnv> = async (c) => {
  const tags = await svc.setHostTags(await domain(c), c.req.valid("param").id, c.req.valid("json").tags);
  return c.json({ message: "Host tags updated", tags }, 200);
};
