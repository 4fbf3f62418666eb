import { z } from "@hono/zod-openapi";
import { BaseEntity, envelopeOf, Links, ListMeta } from "./envelope";

const PEM_MAX = 16 * 1024;

/** `currentApiSessionCertificateCreate`. */
export const CurrentApiSessionCertificateCreate = z
  .object({ csr: z.string().min(1).max(PEM_MAX) })
  .openapi("currentApiSessionCertificateCreate");

/** `currentApiSessionCertificateDetail`. */
export const CurrentApiSessionCertificateDetail = z
  .object({
    ...BaseEntity,
    certificate: z.string(),
    fingerprint: z.string(),
    subject: z.string(),
    validFrom: z.string().openapi({ format: "date-time" }),
    validTo: z.string().openapi({ format: "date-time" }),
  })
  .openapi("currentApiSessionCertificateDetail");

export const ListCurrentApiSessionCertificatesEnvelope = z
  .object({ data: z.array(CurrentApiSessionCertificateDetail), meta: ListMeta })
  .openapi("listCurrentApiSessionCertificatesEnvelope");

export const CreateCurrentApiSessionCertificateEnvelope = envelopeOf(
  z
    .object({ id: z.string(), _links: Links, certificate: z.string(), cas: z.string().optional() })
    .openapi("currentApiSessionCertificateCreateResponse"),
  "createCurrentApiSessionCertificateEnvelope",
);

/** `identityExtendEnrollmentRequest`. */
export const IdentityExtendEnrollmentRequest = z
  .object({ clientCertCsr: z.string().min(1).max(PEM_MAX) })
  .openapi("identityExtendEnrollmentRequest");

/** `identityExtendValidateEnrollmentRequest`. */
export const IdentityExtendValidateEnrollmentRequest = z
  .object({
    clientCert: z
      .string()
      .min(1)
      .max(2 * PEM_MAX),
  })
  .openapi("identityExtendValidateEnrollmentRequest");

export const IdentityExtendEnrollmentEnvelope = envelopeOf(
  z.object({ clientCert: z.string(), ca: z.string() }).openapi("identityExtendCerts"),
  "identityExtendEnrollmentEnvelope",
);
