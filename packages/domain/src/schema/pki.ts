import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, ms, updatedAt } from "./columns";
import { identities } from "./identity";

/** CA certificates. Private keys are wrapped with a key derived from MASTER_KEY; never plain text. */
export const caKeys = sqliteTable("ca_keys", {
  id: id(),
  kind: text("kind", { enum: ["root", "issuing"] }).notNull(),
  certPem: text("cert_pem").notNull(),
  keyEnc: text("key_enc").notNull(),
  notAfter: ms("not_after").notNull(),
  active: bool("active").notNull().default(true),
  createdAt: createdAt(),
});

/** Every certificate the CA issued. `serial` is 128 random bits, hex. */
export const certificates = sqliteTable(
  "certificates",
  {
    id: id(),
    serial: text("serial").notNull().unique(),
    identityId: text("identity_id").references(() => identities.id, { onDelete: "set null" }),
    hostId: text("host_id"),
    apiSessionId: text("api_session_id"),
    kind: text("kind", { enum: ["client", "server", "session"] }).notNull(),
    commonName: text("common_name").notNull(),
    subject: text("subject").notNull(),
    fingerprintSha1: text("fingerprint_sha1").notNull(),
    fingerprintSha256: text("fingerprint_sha256").notNull().unique(),
    certPem: text("cert_pem").notNull(),
    notBefore: ms("not_before").notNull(),
    notAfter: ms("not_after").notNull(),
    status: text("status", { enum: ["active", "revoked"] }).notNull(),
    revokedAt: ms("revoked_at"),
    revocationReason: text("revocation_reason"),
    /** SHA-256 fingerprint (hex) of the issuing CA certificate that signed it; null for rows issued before it was recorded. */
    issuerId: text("issuer_id"),
    /**
     * The certificate's public key as a JWK (the CSR's key it was issued for), so checking an agent's
     * proof imports it instead of parsing the certificate; null for rows issued before it was recorded.
     */
    publicKeyJwk: text("public_key_jwk"),
    createdAt: createdAt(),
  },
  (t) => [
    index("certificates_identity").on(t.identityId),
    index("certificates_host").on(t.hostId),
    // A session's certificates: the cap of 8 checked inside every session-certificate issue, the list.
    index("certificates_api_session").on(t.apiSessionId),
  ],
);

/**
 * One current CRL per issuing CA (`issuer_id` = SHA-256 of its certificate).
 * A revocation only bumps `revision`; the CRL is re-signed off the revocation
 * path (first read or the cron sweep) when `revision > built_revision` or it
 * nears `next_update`. `number` only grows (compare-and-set on it), and
 * `claimed_until` lets one reader sign while the others serve the stored CRL.
 */
export const issuerCrls = sqliteTable("issuer_crls", {
  issuerId: text("issuer_id").primaryKey(),
  number: integer("number").notNull(),
  pem: text("pem").notNull(),
  thisUpdate: ms("this_update").notNull(),
  nextUpdate: ms("next_update").notNull(),
  revision: integer("revision").notNull().default(0),
  builtRevision: integer("built_revision").notNull().default(0),
  claimedUntil: ms("claimed_until"),
});

/** Admin-created enrollments (Ziti `ott` / `updb` / `ottca`). The token is the JWT's `jti`; only its hash is kept. */
export const enrollments = sqliteTable(
  "enrollments",
  {
    id: id(),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    method: text("method", { enum: ["ott", "updb", "ottca"] }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The enrollment JWT, encrypted; shown to admins in the identity detail until used. */
    jwtEnc: text("jwt_enc").notNull(),
    expiresAt: ms("expires_at").notNull(),
    usedAt: ms("used_at"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [index("enrollments_identity").on(t.identityId)],
);

/** Self-enrollment requests (Linux Patch Manager `/enroll`), approved or denied by an admin. */
export const enrollmentRequests = sqliteTable(
  "enrollment_requests",
  {
    id: id(),
    machineId: text("machine_id").notNull(),
    fqdn: text("fqdn").notNull(),
    ipAddress: text("ip_address").notNull(),
    hostname: text("hostname"),
    osDetails: json<Record<string, unknown>>("os_details").notNull().default({}),
    csrPem: text("csr_pem"),
    pollingTokenHash: text("polling_token_hash").notNull().unique(),
    status: text("status", { enum: ["pending", "approved", "denied", "retrieved"] }).notNull(),
    /** Approved bundle, encrypted, single retrieval within 600 s. */
    bundleEnc: text("bundle_enc"),
    bundleExpiresAt: ms("bundle_expires_at"),
    decidedBy: text("decided_by"),
    decidedAt: ms("decided_at"),
    expiresAt: ms("expires_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The submitter's network (IPv4 /24, IPv6 /64, from CF-Connecting-IP): the pending-per-network cap counts it. */
    sourceNetwork: text("source_network"),
  },
  (t) => [
    index("enrollment_requests_machine").on(t.machineId),
    index("enrollment_requests_network").on(t.sourceNetwork, t.status),
  ],
);
