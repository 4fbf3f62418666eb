import { z } from "@hono/zod-openapi";
import { BaseEntity, envelopeOf, ListMeta } from "./envelope";
import { CommonEdgeRouter } from "./services";

export const ControllerDetail = z
  .object({
    ...BaseEntity,
    name: z.string(),
    ctrlAddress: z.string().nullable(),
    certPem: z.string(),
    fingerprint: z.string(),
    isOnline: z.boolean(),
    lastJoinedAt: z.string().openapi({ format: "date-time" }),
    apiAddresses: z.record(z.string(), z.array(z.object({ url: z.string(), version: z.string() }))),
  })
  .openapi("controllerDetail");

export const ListControllersEnvelope = z
  .object({ data: z.array(ControllerDetail), meta: ListMeta })
  .openapi("listControllersEnvelope");

export const ListCurrentIdentityEdgeRoutersEnvelope = z
  .object({ data: z.array(z.object({ ...BaseEntity, ...CommonEdgeRouter })), meta: ListMeta })
  .openapi("listCurrentIdentityEdgeRoutersEnvelope");

export const ServiceUpdatesEnvelope = envelopeOf(
  z.object({ lastChangeAt: z.string().openapi({ format: "date-time" }) }),
  "listCurrentApiSessionServiceUpdatesEnvelope",
);

const processResponse = {
  path: z.string().max(4096).optional(),
  isRunning: z.boolean().optional(),
  hash: z.string().max(256).optional(),
  signerFingerprints: z.array(z.string().max(256)).max(50).optional(),
};
/** `postureResponseCreate`, discriminated by `typeId` (the spec's `x-class`). */
export const PostureResponseCreate = z
  .discriminatedUnion("typeId", [
    z.object({
      typeId: z.literal("OS"),
      id: z.string().min(1).max(64),
      type: z.string().max(64),
      version: z.string().max(128),
      build: z.string().max(128).optional(),
    }),
    z.object({ typeId: z.literal("PROCESS"), id: z.string().min(1).max(64), ...processResponse }),
    z.object({ typeId: z.literal("DOMAIN"), id: z.string().min(1).max(64), domain: z.string().max(253) }),
    z.object({
      typeId: z.literal("MAC"),
      id: z.string().min(1).max(64),
      macAddresses: z.array(z.string().max(64)).max(64),
    }),
    z.object({
      typeId: z.literal("ENDPOINT_STATE"),
      id: z.string().max(64),
      unlocked: z.boolean().optional(),
      woken: z.boolean().optional(),
    }),
  ])
  .openapi("postureResponseCreate");

export const PostureResponseBulk = z.array(PostureResponseCreate).max(100);

export const PostureResponseEnvelope = envelopeOf(
  z
    .object({
      services: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          postureQueryType: z.string(),
          timeout: z.number().int(),
          timeoutRemaining: z.number().int(),
        }),
      ),
    })
    .openapi("postureResponse"),
  "postureResponseEnvelope",
);
