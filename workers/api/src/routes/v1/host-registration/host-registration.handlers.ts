import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain, publicBase } from "../../../lib/domain-context";
import { fqdnResolver } from "../../../lib/fqdn-resolver";
import { installCommand } from "../../../lib/install-command";
import type { registerHost } from "./host-registration.routes";

export const registerHostHandler: RouteHandler<typeof registerHost, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const { hostId, enrollment } = await svc.registerHost(await domain(c), fqdnResolver(c), {
    fqdn: b.fqdn,
    displayName: b.display_name,
    agentPort: b.agent_port,
    notes: b.notes,
    groupIds: b.group_ids,
  });
  const jwt = enrollment.jwt ?? "";
  return c.json(
    {
      id: hostId,
      message: "Host registered" as const,
      enrollment: { id: enrollment.id, jwt, expires_at: iso(enrollment.expiresAt) },
      install_command: installCommand(publicBase(c), jwt),
    },
    201,
  );
};
