import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/** `POST /hosts` (linux-patch-manager.md §4 Hosts): register a host by name before its agent runs. */
export const RegisterHostRequest = z
  .object({
    fqdn: z.string().trim().min(1).max(253),
    display_name: z.string().max(255).optional(),
    agent_port: z.number().int().min(1).max(65535).optional(),
    notes: z.string().max(4000).optional(),
    group_ids: z.array(Uuid).max(100).optional(),
  })
  .openapi("RegisterHostRequest");

export const RegisterHostResponse = z
  .object({
    id: Uuid,
    message: z.literal("Host registered"),
    /** The host's one-time enrollment: the agent enrolling with it makes the host active. */
    enrollment: z.object({ id: Uuid, jwt: z.string(), expires_at: Timestamp }),
    install_command: z.string(),
  })
  .openapi("RegisterHostResponse");
