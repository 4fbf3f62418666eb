import { z } from "@hono/zod-openapi";
import { BaseEntity, ListMeta } from "./envelope";

/** `clientExternalJwtSignerDetail`: what an SDK needs to send its user to the signer. */
export const ClientExternalJwtSignerDetail = z
  .object({
    ...BaseEntity,
    name: z.string(),
    externalAuthUrl: z.string().nullable().openapi({
      format: "uri",
      description:
        "Where SDKs send the user to obtain a JWT; `null` when the signer has none (as the controller sends it)",
    }),
    audience: z.string().nullable(),
    clientId: z.string().nullable(),
    scopes: z.array(z.string()),
  })
  .openapi("clientExternalJwtSignerDetail");

export const ListClientExternalJwtSignersEnvelope = z
  .object({ data: z.array(ClientExternalJwtSignerDetail), meta: ListMeta })
  .openapi("listClientExternalJwtSignersEnvelope");
