import { z } from "@hono/zod-openapi";
import { BaseEntity, EntityRef, ListMeta, Tags } from "./envelope";
import { CommonEdgeRouter } from "./services";

const DialBind = z.enum(["Dial", "Bind"]);

export const SessionDetail = z
  .object({
    ...BaseEntity,
    type: DialBind,
    apiSessionId: z.string(),
    apiSession: EntityRef,
    serviceId: z.string(),
    service: EntityRef,
    identityId: z.string(),
    token: z.string(),
    edgeRouters: z.array(
      z.object({ ...CommonEdgeRouter, urls: z.record(z.string(), z.string()) }).openapi("sessionEdgeRouter"),
    ),
  })
  .openapi("sessionDetail");

export const SessionCreate = z
  .object({ serviceId: z.string().min(1).max(64), type: DialBind.default("Dial"), tags: Tags.optional() })
  .openapi("sessionCreate");

export const ListSessionsEnvelope = z
  .object({ data: z.array(SessionDetail), meta: ListMeta })
  .openapi("listSessionsEnvelope");
