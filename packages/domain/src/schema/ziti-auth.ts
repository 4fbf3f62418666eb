import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, updatedAt } from "./columns";
import { identities } from "./identity";

/**
 * External JWT signers (OpenZiti `externalJwtSigners`): issuers whose JWTs
 * authenticate identities with `POST /authenticate?method=ext-jwt`. Keys come
 * from the JWKS endpoint or the pinned certificate (exactly one is set).
 */
export const zitiExternalJwtSigners = sqliteTable("ziti_external_jwt_signers", {
  id: id(),
  name: text("name").notNull().unique(),
  issuer: text("issuer").notNull().unique(),
  audience: text("audience").notNull(),
  jwksEndpoint: text("jwks_endpoint"),
  certPem: text("cert_pem"),
  /** With certPem: the `kid` the signer's JWTs carry. */
  kid: text("kid"),
  claimsProperty: text("claims_property").notNull().default("sub"),
  useExternalId: bool("use_external_id").notNull().default(false),
  externalAuthUrl: text("external_auth_url"),
  clientId: text("client_id"),
  scopes: json<string[]>("scopes").notNull().default([]),
  enabled: bool("enabled").notNull().default(true),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Auth policies (OpenZiti `authPolicies`, the primary ext-JWT part): whether
 * an identity may authenticate with an external JWT and from which signers
 * (empty = any). An identity without a policy has the default one, which
 * allows every enabled signer.
 */
export const zitiAuthPolicies = sqliteTable("ziti_auth_policies", {
  id: id(),
  name: text("name").notNull().unique(),
  extJwtAllowed: bool("ext_jwt_allowed").notNull().default(true),
  extJwtAllowedSigners: json<string[]>("ext_jwt_allowed_signers").notNull().default([]),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Which auth policy applies to an identity (absent = the default policy). */
export const zitiIdentityAuthPolicies = sqliteTable("ziti_identity_auth_policies", {
  identityId: text("identity_id")
    .primaryKey()
    .references(() => identities.id, { onDelete: "cascade" }),
  authPolicyId: text("auth_policy_id")
    .notNull()
    .references(() => zitiAuthPolicies.id),
});
