import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, ms, updatedAt } from "./columns";

/** A person (`user`), a CI/service account (`service`) or a host (`host`). */
export const identities = sqliteTable(
  "identities",
  {
    id: id(),
    kind: text("kind", { enum: ["user", "service", "host"] }).notNull(),
    name: text("name").notNull(),
    displayName: text("display_name").notNull().default(""),
    email: text("email"),
    description: text("description").notNull().default(""),
    role: text("role", { enum: ["admin", "operator", "reporter"] }).notNull(),
    authProvider: text("auth_provider").notNull().default("local"),
    disabled: bool("disabled").notNull().default(false),
    disabledAt: ms("disabled_at"),
    forcePasswordReset: bool("force_password_reset").notNull().default(false),
    failedLogins: integer("failed_logins").notNull().default(0),
    lockedUntil: ms("locked_until"),
    /** Credentials issued before this instant (access JWTs, sessions) are refused. */
    sessionsValidAfter: ms("sessions_valid_after").notNull().default(0),
    isDefaultAdmin: bool("is_default_admin").notNull().default(false),
    externalId: text("external_id"),
    roleAttributes: json<string[]>("role_attributes").notNull().default([]),
    tags: json<Record<string, unknown>>("tags").notNull().default({}),
    envInfo: json<Record<string, string>>("env_info"),
    sdkInfo: json<Record<string, string>>("sdk_info"),
    lastLoginAt: ms("last_login_at"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("identities_kind_name").on(t.kind, t.name), uniqueIndex("identities_email").on(t.email)],
);

export const groups = sqliteTable("groups", {
  id: id(),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const identityGroups = sqliteTable(
  "identity_groups",
  {
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.identityId, t.groupId] }), index("identity_groups_group").on(t.groupId)],
);

/**
 * How an identity proves itself: `updb` (username + PBKDF2 password hash) or
 * `cert` (fingerprint of a certificate issued by our CA).
 */
export const authenticators = sqliteTable(
  "authenticators",
  {
    id: id(),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    method: text("method", { enum: ["updb", "cert"] }).notNull(),
    username: text("username"),
    /** `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`; never leaves the domain layer. */
    passwordHash: text("password_hash"),
    fingerprint: text("fingerprint"),
    certPem: text("cert_pem"),
    certificateId: text("certificate_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("authenticators_identity").on(t.identityId),
    uniqueIndex("authenticators_username").on(t.username),
    uniqueIndex("authenticators_fingerprint").on(t.fingerprint),
  ],
);

/** TOTP enrolment (RFC 6238). The secret is AES-256-GCM encrypted; `lastStep` enforces §5.2 single use. */
export const mfa = sqliteTable("mfa", {
  identityId: text("identity_id")
    .primaryKey()
    .references(() => identities.id, { onDelete: "cascade" }),
  id: text("id").notNull(),
  secretEnc: text("secret_enc").notNull(),
  verified: bool("verified").notNull().default(false),
  lastStep: integer("last_step").notNull().default(0),
  /**
   * Fresh recovery codes, encrypted, readable only until `revealUntil` (Ziti
   * clients GET them after enrolling or regenerating); afterwards only hashes remain.
   */
  revealEnc: text("reveal_enc"),
  revealUntil: ms("reveal_until"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Single-use MFA recovery codes; only a SHA-256 hash is stored. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: id(),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: ms("used_at"),
    createdAt: createdAt(),
  },
  (t) => [index("recovery_codes_identity").on(t.identityId)],
);

/** Ziti API sessions (`zt-session`), 30 minutes idle. Only the token's SHA-256 is stored. */
export const apiSessions = sqliteTable(
  "api_sessions",
  {
    id: id(),
    tokenHash: text("token_hash").notNull().unique(),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    authenticatorId: text("authenticator_id").notNull(),
    authMethod: text("auth_method").notNull(),
    mfaRequired: bool("mfa_required").notNull(),
    mfaComplete: bool("mfa_complete").notNull(),
    ipAddress: text("ip_address").notNull().default(""),
    configTypes: json<string[]>("config_types").notNull().default([]),
    lastActivityAt: ms("last_activity_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("api_sessions_identity").on(t.identityId), index("api_sessions_expires").on(t.expiresAt)],
);

/** Rotating refresh tokens (1 h sliding). Reuse of a rotated token revokes its whole family. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: id(),
    familyId: text("family_id").notNull(),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: ms("expires_at").notNull(),
    rotatedAt: ms("rotated_at"),
    revokedAt: ms("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [index("refresh_tokens_family").on(t.familyId), index("refresh_tokens_identity").on(t.identityId)],
);

/** `ztlu_…` / `ztls_…` API tokens; only the SHA-256 of the secret is stored. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: id(),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    name: text("name").notNull().default(""),
    hashedKey: text("hashed_key").notNull().unique(),
    expiresAt: ms("expires_at"),
    lastUsedAt: ms("last_used_at"),
    issuerId: text("issuer_id"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [index("api_tokens_identity").on(t.identityId)],
);

/** JWT signing keys. The private JWK is encrypted with a key derived from MASTER_KEY. */
export const signingKeys = sqliteTable("signing_keys", {
  kid: text("kid").primaryKey(),
  alg: text("alg").notNull(),
  purpose: text("purpose", { enum: ["access", "enrollment"] }).notNull(),
  publicJwk: json<Record<string, unknown>>("public_jwk").notNull(),
  privateJwkEnc: text("private_jwk_enc").notNull(),
  /** Set when a newer key takes over; the key keeps verifying until `expiresAt`. */
  retiredAt: ms("retired_at"),
  expiresAt: ms("expires_at"),
  createdAt: createdAt(),
});

/** Fixed-window counters for rate limits (login, MFA, refresh, enrollment, token exchange). */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: ms("window_start").notNull(),
  count: integer("count").notNull(),
});
