import { z } from "@hono/zod-openapi";
import { SsoHandoffResponse } from "./auth";

/** Device authorization for the CLI (RFC 8628 style), see docs/auth.md. */
export const DeviceCodeRequest = z
  .object({ client_name: z.string().max(100).optional().openapi({ description: "shown in the audit log" }) })
  .openapi("DeviceCodeRequest");

export const DeviceCodeResponse = z
  .object({
    device_code: z.string().openapi({ description: "secret; the CLI polls with it" }),
    user_code: z.string().openapi({ example: "BCDF-GHJK" }),
    verification_uri: z.string(),
    verification_uri_complete: z.string(),
    expires_in: z.number().int(),
    interval: z.number().int().openapi({ description: "seconds between polls" }),
  })
  .openapi("DeviceCodeResponse");

export const DeviceTokenRequest = z.object({ device_code: z.string().max(256) }).openapi("DeviceTokenRequest");

export const DeviceTokenResponse = SsoHandoffResponse.openapi("DeviceTokenResponse");

export const DeviceApproveRequest = z
  .object({ user_code: z.string().max(32), approve: z.boolean() })
  .openapi("DeviceApproveRequest");

export const DeviceApproveResponse = z
  .object({ status: z.enum(["approved", "denied"]) })
  .openapi("DeviceApproveResponse");

export const DeviceLookupRequest = z.object({ user_code: z.string().max(32) }).openapi("DeviceLookupRequest");

export const DeviceLookupResponse = z
  .object({
    client_name: z.string().openapi({ description: "the name the client gave when it asked for the code" }),
    ip_address: z.string().nullable().openapi({ description: "the address the client asked from" }),
    requested_at: z.string().datetime().nullable(),
    expires_at: z.string().datetime(),
  })
  .openapi("DeviceLookupResponse");
