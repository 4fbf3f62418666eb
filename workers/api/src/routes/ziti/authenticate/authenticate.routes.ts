import { createRoute, z } from "@hono/zod-openapi";
import { CurrentApiSessionDetailEnvelope } from "../current-api-session/current-api-session.routes";
import { Empty, errorResponses, jsonResponse, MfaCode } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const s255 = z.string().max(255).nullish();
const s253 = z.string().max(253).nullish();

/** `envInfo`: what an SDK reports about its host (stored on the identity). */
export const EnvInfo = z
  .object({ arch: s255, os: s255, osRelease: s255, osVersion: s255, domain: s253, hostname: s253 })
  .openapi("envInfo");

/** `sdkInfo`: which SDK and application authenticated (stored on the identity). */
export const SdkInfo = z
  .object({ appId: s255, appVersion: s255, branch: s255, revision: s255, type: s255, version: s255 })
  .openapi("sdkInfo");

/** `authenticate`: required fields depend on the method (password needs username and password). */
export const Authenticate = z
  .object({
    username: z.string().min(4).max(100).nullish(),
    password: z.string().min(5).max(100).nullish(),
    configTypes: z.array(z.string()).nullish(),
    envInfo: EnvInfo.nullish(),
    sdkInfo: SdkInfo.nullish(),
  })
  .openapi("authenticate");

export const AUTH_METHODS = ["password", "cert", "ext-jwt"] as const;

export const authenticate = createRoute({
  method: "post",
  path: "/authenticate",
  operationId: "authenticate",
  tags: ["Authentication"],
  summary: "Authenticate via a method supplied via a query string parameter",
  security: [],
  request: {
    query: z.object({ method: z.enum(AUTH_METHODS) }),
    body: { required: false, content: { "application/json": { schema: Authenticate } } },
  },
  responses: {
    200: jsonResponse(CurrentApiSessionDetailEnvelope, "The API session created by this authentication"),
    ...errorResponses(400, 401, 429),
  },
});

export const authenticateMfa = createRoute({
  method: "post",
  path: "/authenticate/mfa",
  operationId: "authenticateMfa",
  tags: ["Authentication", "MFA"],
  summary: "Complete MFA authentication with a TOTP or recovery code",
  security: ZT_SESSION,
  middleware: zitiAuth({ partial: true }),
  request: { body: { required: true, content: { "application/json": { schema: MfaCode } } } },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(401, 409, 429) },
});
