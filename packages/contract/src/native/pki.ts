import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";
import { Pagination } from "./hosts";
import { RepoConfig } from "./package-repo";

export const CreateEnrollmentRequest = z
  .object({
    name: z.string().min(1).max(253),
    kind: z.enum(["host", "user", "service"]),
    method: z.enum(["ott", "updb", "ottca"]),
    /** With `ottca`: the third-party CA (`/api/v1/ziti/cas`) whose certificate the identity will present. */
    ca_id: Uuid.optional().openapi({ description: "Required with method ottca: the third-party CA" }),
    expires_in: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "Seconds; default 10800 (3 h), minimum 300" }),
  })
  .openapi("CreateEnrollmentRequest");

export const Enrollment = z
  .object({
    id: Uuid,
    identity_id: Uuid,
    name: z.string().optional(),
    kind: z.enum(["host", "user", "service"]).optional(),
    method: z.enum(["ott", "updb", "ottca"]),
    jwt: z.string().nullable(),
    expires_at: Timestamp,
    used_at: Timestamp.nullable().optional(),
    /** Host ott enrollments on creation: the one-line installer that enrolls the host with this token. */
    install_command: z.string().optional(),
  })
  .openapi("Enrollment");

const OsDetails = z
  .record(z.string().max(64), z.unknown())
  .refine((o) => JSON.stringify(o).length <= 8192, "os_details too large");

export const SelfEnrollRequest = z
  .object({
    machine_id: z.string().min(1).max(128),
    fqdn: z.string().min(1).max(253),
    ip_address: z.union([z.ipv4(), z.ipv6()]),
    os_details: OsDetails,
    hostname: z.string().min(1).max(253).optional(),
    csr: z
      .string()
      .max(16 * 1024)
      .optional()
      .openapi({ description: "PEM CSR (preferred: the host's key never leaves it)" }),
  })
  .openapi("SelfEnrollRequest");

export const PollingTokenParam = z.object({
  // Not validated here: the reference answers 200 `{"status":"notfound"}` for any malformed token.
  token: z.string().openapi({ param: { name: "token", in: "path" }, description: "64 alphanumeric characters" }),
});

export const EnrollStatus = z
  .object({
    status: z.enum(["pending", "approved", "denied", "notfound"]),
    ca_crt: z.string().optional(),
    ca_chain: z.string().optional(),
    client_crt: z.string().optional(),
    server_crt: z.string().optional(),
    server_key: z.string().optional(),
    crl_pem: z.string().optional(),
    repo_config: RepoConfig.optional().openapi({
      description:
        "The agent package repository's source entry and key for the distribution in the request's os_details (absent when the repository does not serve it or has no key yet)",
    }),
  })
  .openapi("EnrollStatus");

/** `GET /admin/enrollments?limit&offset`: pages like the other native lists (default 50, clamped to 200). */
export const PendingEnrollmentListQuery = Pagination;

export const PendingEnrollment = z
  .object({
    id: Uuid,
    machine_id: z.string(),
    fqdn: z.string(),
    ip_address: z.string(),
    os_details: z.record(z.string(), z.unknown()),
    polling_token: z
      .string()
      .openapi({ description: "SHA-256 of the polling token (the token itself is never stored)" }),
    hostname: z.string().nullable(),
    has_csr: z.boolean(),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .openapi("PendingEnrollment");

export const Certificate = z
  .object({
    id: Uuid,
    host_id: Uuid.nullable(),
    serial_number: z.string(),
    common_name: z.string(),
    status: z.enum(["active", "revoked", "expired"]),
    issued_at: Timestamp,
    expires_at: Timestamp,
    revoked_at: Timestamp.nullable(),
  })
  .openapi("Certificate");

export const RevokeQuery = z.object({
  reason: z
    .enum([
      "unspecified",
      "keyCompromise",
      "caCompromise",
      "affiliationChanged",
      "superseded",
      "cessationOfOperation",
      "certificateHold",
      "privilegeWithdrawn",
    ])
    .default("unspecified"),
});

export const IssuedCert = z
  .object({
    cert_pem: z.string(),
    key_pem: z.string(),
    serial_number: z.string(),
    expires_at: Timestamp,
    server_cert_pem: z.string(),
    server_key_pem: z.string(),
    server_serial_number: z.string(),
    ca_root_pem: z.string(),
  })
  .openapi("IssuedCert");

export const IssueHostCertRequest = z
  .object({ hostname: z.string().min(1).max(253).optional() })
  .openapi("IssueHostCertRequest");
