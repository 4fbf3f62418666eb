import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/**
 * Native management of the OpenZiti control-plane model (admin). Field names
 * follow OpenZiti's management API (camelCase), so that configs and policies
 * can be copied from an OpenZiti controller unchanged.
 */
const Name = z.string().trim().min(1).max(255);
const Attr = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^#@\s][^\s]*$/, "role attributes may not start with # or @");
const RoleAttributes = z.array(Attr).max(100);
/** `#attribute`, `@id` or `#all` (policy.ts). */
const Role = z
  .string()
  .max(256)
  .regex(/^[#@][^\s#@][^\s]*$/, "a role is #attribute, @id or #all");
const Roles = z.array(Role).max(100);
const Semantic = z.enum(["AllOf", "AnyOf"]);
const Tags = z.record(z.string().max(255), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]));
const JsonObject = z.record(z.string(), z.unknown());

export const ZitiServiceInput = z
  .object({
    name: Name,
    roleAttributes: RoleAttributes.default([]),
    configs: z.array(Uuid).max(50).default([]),
    encryptionRequired: z.boolean().default(true),
    terminatorStrategy: z.enum(["smartrouting", "weighted", "random", "ha"]).default("smartrouting"),
    maxIdleTimeMillis: z.number().int().min(0).max(2_147_483_647).default(0),
    tags: Tags.default({}),
  })
  .strict()
  .openapi("ZitiServiceInput");

export const ZitiConfigTypeInput = z
  .object({ name: Name, schema: JsonObject.nullable().default(null), tags: Tags.default({}) })
  .strict()
  .openapi("ZitiConfigTypeInput");

export const ZitiConfigInput = z
  .object({ name: Name, configTypeId: Uuid, data: JsonObject, tags: Tags.default({}) })
  .strict()
  .openapi("ZitiConfigInput");

export const ZitiServicePolicyInput = z
  .object({
    name: Name,
    type: z.enum(["Dial", "Bind"]),
    semantic: Semantic.default("AllOf"),
    identityRoles: Roles.default([]),
    serviceRoles: Roles.default([]),
    postureCheckRoles: Roles.default([]),
    tags: Tags.default({}),
  })
  .strict()
  .openapi("ZitiServicePolicyInput");

export const ZitiEdgeRouterInput = z
  .object({
    name: Name,
    hostname: z.string().min(1).max(253),
    supportedProtocols: z.partialRecord(z.enum(["tls", "ws", "wss"]), z.string().min(1).max(512)).default({}),
    cost: z.number().int().min(0).max(65535).default(0),
    noTraversal: z.boolean().default(false),
    disabled: z.boolean().default(false),
    isOnline: z.boolean().default(false),
    roleAttributes: RoleAttributes.default([]),
    appData: JsonObject.default({}),
    tags: Tags.default({}),
  })
  .strict()
  .openapi("ZitiEdgeRouterInput");

export const ZitiEdgeRouterPolicyInput = z
  .object({
    name: Name,
    semantic: Semantic.default("AllOf"),
    identityRoles: Roles.default([]),
    edgeRouterRoles: Roles.default([]),
    tags: Tags.default({}),
  })
  .strict()
  .openapi("ZitiEdgeRouterPolicyInput");

export const ZitiServiceEdgeRouterPolicyInput = z
  .object({
    name: Name,
    semantic: Semantic.default("AllOf"),
    serviceRoles: Roles.default([]),
    edgeRouterRoles: Roles.default([]),
    tags: Tags.default({}),
  })
  .strict()
  .openapi("ZitiServiceEdgeRouterPolicyInput");

const OsType = z.enum(["Windows", "WindowsServer", "Android", "iOS", "Linux", "macOS"]);
const Process = z
  .object({
    osType: OsType,
    path: z.string().min(1).max(1024),
    hashes: z
      .array(z.string().regex(/^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{128}$/))
      .max(50)
      .default([]),
    signerFingerprints: z
      .array(z.string().regex(/^[0-9a-fA-F]{40}$/))
      .max(50)
      .default([]),
  })
  .strict();
const postureBase = { name: Name, roleAttributes: RoleAttributes.default([]), tags: Tags.default({}) };

export const ZitiPostureCheckInput = z
  .discriminatedUnion("typeId", [
    z
      .object({
        ...postureBase,
        typeId: z.literal("OS"),
        operatingSystems: z
          .array(z.object({ type: OsType, versions: z.array(z.string().max(64)).max(20).default([]) }).strict())
          .min(1)
          .max(10),
      })
      .strict(),
    z.object({ ...postureBase, typeId: z.literal("PROCESS"), process: Process }).strict(),
    z
      .object({
        ...postureBase,
        typeId: z.literal("PROCESS_MULTI"),
        semantic: Semantic,
        processes: z.array(Process).min(1).max(20),
      })
      .strict(),
    z
      .object({
        ...postureBase,
        typeId: z.literal("DOMAIN"),
        domains: z.array(z.string().min(1).max(253)).min(1).max(50),
      })
      .strict(),
    z
      .object({
        ...postureBase,
        typeId: z.literal("MAC"),
        macAddresses: z
          .array(z.string().regex(/^([0-9a-fA-F]{2}[:-]?){5}[0-9a-fA-F]{2}$/))
          .min(1)
          .max(50),
      })
      .strict(),
    z
      .object({
        ...postureBase,
        typeId: z.literal("MFA"),
        timeoutSeconds: z.number().int().min(-1).max(31_536_000).default(-1),
        promptOnWake: z.boolean().default(false),
        promptOnUnlock: z.boolean().default(false),
        ignoreLegacyEndpoints: z.boolean().default(false),
      })
      .strict(),
  ])
  .openapi("ZitiPostureCheckInput");

const HttpsUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL");

/**
 * An external JWT signer (OpenZiti's `externalJwtSignerCreate`): keys from
 * `jwksEndpoint` or the pinned `certPem` (then `kid` names it), never both.
 */
export const ZitiExternalJwtSignerInput = z
  .object({
    name: Name,
    issuer: z.string().trim().min(1).max(1024),
    audience: z.string().trim().min(1).max(1024),
    jwksEndpoint: HttpsUrl.nullable().default(null),
    certPem: z.string().max(16_384).nullable().default(null),
    kid: z.string().min(1).max(255).nullable().default(null),
    claimsProperty: z.string().min(1).max(255).default("sub"),
    useExternalId: z.boolean().default(false),
    externalAuthUrl: HttpsUrl.nullable().default(null),
    clientId: z.string().max(1024).nullable().default(null),
    scopes: z.array(z.string().min(1).max(255)).max(50).default([]),
    enabled: z.boolean().default(true),
    tags: Tags.default({}),
  })
  .strict()
  .superRefine((v, issue) => {
    if ((v.jwksEndpoint === null) === (v.certPem === null))
      issue.addIssue({
        code: "custom",
        path: ["jwksEndpoint"],
        message: "set exactly one of jwksEndpoint and certPem",
      });
    if (v.certPem !== null && v.kid === null)
      issue.addIssue({ code: "custom", path: ["kid"], message: "kid is required with certPem" });
  })
  .openapi("ZitiExternalJwtSignerInput");

/** An auth policy's primary ext-JWT rules (OpenZiti `authPolicyPrimaryExtJwt`); empty allowedSigners = any. */
export const ZitiAuthPolicyInput = z
  .object({
    name: Name,
    primary: z
      .object({
        extJwt: z.object({ allowed: z.boolean(), allowedSigners: z.array(Uuid).max(100).default([]) }).strict(),
      })
      .strict(),
    tags: Tags.default({}),
  })
  .strict()
  .openapi("ZitiAuthPolicyInput");

export const ZitiIdentityAuthPolicyInput = z
  .object({ authPolicyId: Uuid.nullable() })
  .strict()
  .openapi("ZitiIdentityAuthPolicyInput");

export const ZitiRoleAttributesInput = z
  .object({ roleAttributes: RoleAttributes })
  .strict()
  .openapi("ZitiRoleAttributesInput");

export const ZitiEntity = z
  .object({ id: Uuid, createdAt: Timestamp, updatedAt: Timestamp })
  .catchall(z.unknown())
  .openapi("ZitiEntity");

/** The managed kinds, in the order the native face serves them (at /api/v1/ziti/<kind>). */
export const ZITI_KINDS = [
  "services",
  "config-types",
  "configs",
  "service-policies",
  "edge-routers",
  "edge-router-policies",
  "service-edge-router-policies",
  "posture-checks",
  "external-jwt-signers",
  "auth-policies",
] as const;
export type ZitiKind = (typeof ZITI_KINDS)[number];

/** The input schema of each managed kind. */
export const ZITI_INPUTS = {
  services: ZitiServiceInput,
  "config-types": ZitiConfigTypeInput,
  configs: ZitiConfigInput,
  "service-policies": ZitiServicePolicyInput,
  "edge-routers": ZitiEdgeRouterInput,
  "edge-router-policies": ZitiEdgeRouterPolicyInput,
  "service-edge-router-policies": ZitiServiceEdgeRouterPolicyInput,
  "posture-checks": ZitiPostureCheckInput,
  "external-jwt-signers": ZitiExternalJwtSignerInput,
  "auth-policies": ZitiAuthPolicyInput,
} as const satisfies Record<ZitiKind, z.ZodType>;

export type ZitiInput<K extends ZitiKind> = z.infer<(typeof ZITI_INPUTS)[K]>;
