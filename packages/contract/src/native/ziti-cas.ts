import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/**
 * Third-party CAs of the Ziti face (OpenZiti management `cas`), managed on the
 * native face by admins. camelCase as OpenZiti's management API.
 */
const Role = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^#@\s][^\s]*$/, "identity roles are role attributes: they may not start with # or @");
const Tags = z.record(z.string().max(255), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]));

const NAME_FORMAT_DESCRIPTION =
  "Name of identities created by /enroll/ca; symbols [caName], [caId], [commonName], [requestedName], [identityId]";

const settings = {
  name: z.string().trim().min(1).max(255),
  isAutoCaEnrollmentEnabled: z.boolean().default(false),
  isOttCaEnrollmentEnabled: z.boolean().default(false),
  isAuthEnabled: z.boolean().default(false),
  identityRoles: z.array(Role).max(100).default([]),
  identityNameFormat: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .default("[caName]-[commonName]")
    .openapi({ description: NAME_FORMAT_DESCRIPTION }),
  tags: Tags.default({}),
};

export const ZitiCaCreate = z
  .object({
    ...settings,
    certPem: z
      .string()
      .min(1)
      .max(16 * 1024)
      .openapi({ description: "PEM of the CA certificate (a CA with a subjectKeyIdentifier)" }),
  })
  .strict()
  .openapi("ZitiCaCreate");

export const ZitiCaUpdate = z.object(settings).strict().openapi("ZitiCaUpdate");

export const ZitiCaVerify = z
  .object({
    certPem: z
      .string()
      .min(1)
      .max(16 * 1024)
      .openapi({ description: "A certificate signed by the CA whose subject CN is the CA's verificationToken" }),
  })
  .strict()
  .openapi("ZitiCaVerify");

export const ZitiCa = z
  .object({
    id: Uuid,
    name: z.string(),
    certPem: z.string(),
    fingerprint: z.string().openapi({ description: "Lowercase hex SHA-1 of the CA certificate" }),
    isVerified: z.boolean(),
    verificationToken: z
      .string()
      .nullable()
      .openapi({ description: "The CN the proof-of-possession certificate must carry; null once verified" }),
    isAutoCaEnrollmentEnabled: z.boolean(),
    isOttCaEnrollmentEnabled: z.boolean(),
    isAuthEnabled: z.boolean(),
    identityRoles: z.array(z.string()),
    identityNameFormat: z.string(),
    tags: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("ZitiCa");
