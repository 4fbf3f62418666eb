import { z } from "@hono/zod-openapi";

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
export const AuthenticateQuery = z.object({ method: z.enum(AUTH_METHODS) });
