import {
  CaEnrollmentRequest,
  Empty,
  EnrollmentCertsEnvelope,
  Jwks,
  LegacyEnrollQuery,
  ListNetworkJwtsEnvelope,
  NonceChallenge,
  NonceSignature,
  OttCaEnrollmentRequest,
  OttEnrollmentRequest,
  TokenQuery,
  UpdbEnrollmentEnvelope,
  UpdbEnrollmentRequest,
} from "@fleetgate/contract/ziti";
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";

const tags = ["Enroll"];
const bodyOf = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

export const enrollOtt = createRoute({
  method: "post",
  path: "/enroll/ott",
  operationId: "enrollOtt",
  tags,
  summary: "Enroll an identity via one-time-token (a CSR in, the client certificate chain out)",
  security: [],
  request: { body: bodyOf(OttEnrollmentRequest) },
  responses: {
    200: jsonResponse(EnrollmentCertsEnvelope, "The identity's client certificate chain and the CA bundle"),
    ...errorResponses(400, 404, 429),
  },
});

export const enrollUpdb = createRoute({
  method: "post",
  path: "/enroll/updb",
  operationId: "enrollUpdb",
  tags,
  summary: "Enroll an identity via one-time-token to set its first username and password",
  security: [],
  request: { query: TokenQuery, body: bodyOf(UpdbEnrollmentRequest) },
  responses: { 200: jsonResponse(UpdbEnrollmentEnvelope, "Enrolled"), ...errorResponses(400, 404, 429) },
});

export const enrollOttCa = createRoute({
  method: "post",
  path: "/enroll/ottca",
  operationId: "enrollOttCa",
  tags,
  summary:
    "Enroll a pre-created identity with its one-time token and a client certificate of the enrollment's CA (mTLS)",
  security: [],
  request: { body: bodyOf(OttCaEnrollmentRequest) },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(400, 404, 409, 429) },
});

export const enrollCa = createRoute({
  method: "post",
  path: "/enroll/ca",
  operationId: "enrollCa",
  tags,
  summary: "Create an identity from a client certificate of a verified auto-enrollment CA (mTLS)",
  security: [],
  request: { body: { required: false, content: { "application/json": { schema: CaEnrollmentRequest } } } },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(400, 404, 409, 429) },
});

export const enrollLegacy = createRoute({
  method: "post",
  path: "/enroll",
  operationId: "enroll",
  tags,
  summary:
    "Legacy enrollment: `?method=ott&token=…` with a PEM CSR (or JSON) body, `?method=updb`, `?method=ottca&token=…` or `?method=ca` (mTLS)",
  security: [],
  request: {
    query: LegacyEnrollQuery,
    body: {
      required: false,
      content: {
        "application/x-pem-file": { schema: z.string() },
        "application/pkcs10": { schema: z.string() },
        "text/plain": { schema: z.string() },
      },
    },
  },
  responses: {
    200: jsonResponse(
      z.union([EnrollmentCertsEnvelope, UpdbEnrollmentEnvelope, Empty]),
      "The identity's client certificate chain (ott), its username (updb), or empty (ottca, ca)",
    ),
    ...errorResponses(400, 404, 429),
    415: {
      description: "The content type of the request is not supported",
      content: { "application/json": { schema: z.object({}).passthrough() } },
    },
  },
});

export const getEnrollmentJwks = createRoute({
  method: "get",
  path: "/enroll/jwks",
  operationId: "getEnrollmentJwks",
  tags,
  summary: "List JSON Web Keys associated with enrollment",
  security: [],
  responses: { 200: jsonResponse(Jwks, "A JWKS response for enrollment") },
});

export const enrollmentChallenge = createRoute({
  method: "post",
  path: "/enroll/challenge",
  operationId: "enrollmentChallenge",
  tags,
  summary: "Signs a nonce with an enrollment key: proves this controller is the enrollment target",
  security: [],
  request: { body: bodyOf(NonceChallenge) },
  responses: { 200: jsonResponse(NonceSignature, "The nonce's signature"), ...errorResponses(400, 404, 429) },
});

export const listNetworkJwts = createRoute({
  method: "get",
  path: "/network-jwts",
  operationId: "listNetworkJWTs",
  tags: ["Enrollment"],
  summary: "Returns a list of JWTs suitable for bootstrapping network trust",
  security: [],
  responses: { 200: jsonResponse(ListNetworkJwtsEnvelope, "A list of network JWTs") },
});

export const estCacerts = createRoute({
  method: "get",
  path: "/.well-known/est/cacerts",
  operationId: "listWellKnownCas",
  tags: ["Well Known"],
  summary: "The CA bundle as an RFC 7030 certs-only PKCS#7 (base64)",
  security: [],
  responses: {
    200: {
      description: "base64 PKCS#7 (application/pkcs7-mime)",
      content: { "application/pkcs7-mime": { schema: z.string() } },
    },
  },
});
