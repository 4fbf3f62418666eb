import { z } from "@hono/zod-openapi";
import { Meta } from "./envelope";

/** Longest CSR accepted by any enrollment (PEM). */
export const MAX_CSR = 16 * 1024;

/** `ottEnrollmentRequest` (`/enroll/ott`; `/enroll/ottca` needs only the token). */
export const OttEnrollmentRequest = z
  .object({ token: z.string().min(1).max(4096), clientCsr: z.string().max(MAX_CSR).optional() })
  .openapi("ottEnrollmentRequest");

/** `/enroll/updb` body: the first password (and optionally the username). */
export const UpdbEnrollmentRequest = z
  .object({ username: z.string().min(4).max(100).optional(), password: z.string().min(5).max(100) })
  .openapi("updbCredentials");

/** `nonceChallenge`. */
export const NonceChallenge = z
  .object({ keyId: z.string().min(1).max(200), nonce: z.uuid() })
  .openapi("nonceChallenge");

/** `nonceSignature`: the challenge answer. */
export const NonceSignature = z
  .object({ algorithm: z.string(), caPool: z.string(), kid: z.string(), signature: z.string() })
  .openapi("nonceSignature");

/** `enrollmentCertsEnvelope`. */
export const EnrollmentCertsEnvelope = z
  .object({
    data: z.object({ ca: z.string(), cert: z.string(), serverCert: z.string().optional() }).openapi("enrollmentCerts"),
    meta: Meta,
  })
  .openapi("enrollmentCertsEnvelope");

export const UpdbEnrollmentEnvelope = z
  .object({ data: z.object({ username: z.string() }), meta: Meta })
  .openapi("updbEnrollmentEnvelope");

/** `jwks`. */
export const Jwks = z.object({ keys: z.array(z.object({ kid: z.string().optional() }).passthrough()) }).openapi("jwks");

/** `listNetworkJWTsEnvelope`. */
export const ListNetworkJwtsEnvelope = z
  .object({ data: z.array(z.object({ name: z.string(), token: z.string() }).openapi("networkJWT")), meta: Meta })
  .openapi("listNetworkJWTsEnvelope");

/** Legacy `POST /enroll?method=ott|updb&token=…` query. */
export const LegacyEnrollQuery = z.object({
  method: z.string().optional(),
  token: z.string().optional(),
});

/** `POST /enroll/updb?token=…` query. */
export const TokenQuery = z.object({ token: z.string().optional() });

/** `/enroll/ottca` body: the token of the identity's ottca enrollment (the certificate comes from mTLS). */
export const OttCaEnrollmentRequest = z
  .object({ token: z.string().min(1).max(4096) })
  .openapi("ottCaEnrollmentRequest");

/** `/enroll/ca` body (optional): the requested identity name, `[requestedName]` of the CA's name format. */
export const CaEnrollmentRequest = z.object({ name: z.string().max(200).optional() }).openapi("caEnrollmentRequest");
