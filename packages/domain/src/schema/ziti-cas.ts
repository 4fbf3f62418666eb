import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, ms, updatedAt } from "./columns";
import { authenticators } from "./identity";
import { enrollments } from "./pki";

/**
 * Third-party CAs (OpenZiti `cas`) registered by an admin. A CA is trusted
 * for enrollment and authentication only once `isVerified`: the admin proved
 * possession of its key by posting a certificate it signed whose CN is the
 * `verificationToken` (a challenge, not a credential; cleared once used).
 */
export const zitiCas = sqliteTable("ziti_cas", {
  id: id(),
  name: text("name").notNull().unique(),
  certPem: text("cert_pem").notNull(),
  /** Lowercase hex SHA-1 of the CA certificate's DER (the controller's fingerprint). */
  fingerprint: text("fingerprint").notNull().unique(),
  /** RFC 4514 subject DN. */
  subject: text("subject").notNull(),
  /** Lowercase hex key identifier (subjectKeyIdentifier): how the edge names a client certificate's issuer. */
  keyId: text("key_id").notNull().unique(),
  notAfter: ms("not_after").notNull(),
  isAutoCaEnrollmentEnabled: bool("is_auto_ca_enrollment_enabled").notNull().default(false),
  isOttCaEnrollmentEnabled: bool("is_ott_ca_enrollment_enabled").notNull().default(false),
  isAuthEnabled: bool("is_auth_enabled").notNull().default(false),
  identityRoles: json<string[]>("identity_roles").notNull().default([]),
  identityNameFormat: text("identity_name_format").notNull().default("[caName]-[commonName]"),
  isVerified: bool("is_verified").notNull().default(false),
  verificationToken: text("verification_token"),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Fingerprint-only `cert` authenticators of certificates a third-party CA
 * issued (enrolled with /enroll/ca or /enroll/ottca): we never see the
 * certificate itself, only what the edge's mTLS reports about it.
 */
export const zitiCaAuthenticators = sqliteTable(
  "ziti_ca_authenticators",
  {
    authenticatorId: text("authenticator_id")
      .primaryKey()
      .references(() => authenticators.id, { onDelete: "cascade" }),
    caId: text("ca_id")
      .notNull()
      .references(() => zitiCas.id, { onDelete: "cascade" }),
    /** Lowercase hex SHA-256 of the certificate's DER. */
    fingerprintSha256: text("fingerprint_sha256").notNull().unique(),
    notAfter: ms("not_after").notNull(),
  },
  (t) => [index("ziti_ca_authenticators_ca").on(t.caId)],
);

/** The CA an `ottca` enrollment's certificate must chain to. */
export const zitiCaEnrollments = sqliteTable(
  "ziti_ca_enrollments",
  {
    enrollmentId: text("enrollment_id")
      .primaryKey()
      .references(() => enrollments.id, { onDelete: "cascade" }),
    caId: text("ca_id")
      .notNull()
      .references(() => zitiCas.id, { onDelete: "cascade" }),
  },
  (t) => [index("ziti_ca_enrollments_ca").on(t.caId)],
);
