import { z } from "@hono/zod-openapi";
import { BaseEntity, EntityRef, Tags } from "./envelope";

export const AuthenticatorDetail = z
  .object({
    ...BaseEntity,
    method: z.string(),
    username: z.string().optional(),
    fingerprint: z.string().optional(),
    certPem: z.string().optional(),
    isIssuedByNetwork: z.boolean(),
    identityId: z.string(),
    identity: EntityRef,
  })
  .openapi("authenticatorDetail");

const username = z.string().min(4).max(100);
const password = z.string().min(5).max(100);

/** `authenticatorUpdateWithCurrent` (PUT): username and password are both required. */
export const AuthenticatorUpdateWithCurrent = z
  .object({ username, password, currentPassword: password, tags: Tags.optional() })
  .openapi("authenticatorUpdateWithCurrent");

/** `authenticatorPatchWithCurrent` (PATCH): only currentPassword is required. */
export const AuthenticatorPatchWithCurrent = z
  .object({
    username: username.nullish(),
    password: password.nullish(),
    currentPassword: password,
    tags: Tags.optional(),
  })
  .openapi("authenticatorPatchWithCurrent");
