import type { ZentralTaskResult, ZentralTokenExchangeResponse } from "@fleetgate/contract";
import type { z } from "zod";
import { authorizationFor } from "../auth";
import { FleetgateError } from "../errors";
import { getJson, postJson } from "../faces";

export type TokenExchange = z.infer<typeof ZentralTokenExchangeResponse>;
export type TaskResult = z.infer<typeof ZentralTaskResult>;

export interface ZentralOptions {
  url: string;
  /** `ztl…` API token or an access JWT, for task results. */
  token?: string;
  fetch?: (r: Request) => Promise<Response>;
}

/** A small client for Fleetgate's Zentral face (reference/zentral.md). */
export function createZentralClient(opts: ZentralOptions) {
  const origin = new URL(opts.url).origin;
  const doFetch = opts.fetch ?? ((r: Request) => globalThis.fetch(r));
  const auth = (): Record<string, string> => (opts.token ? { authorization: authorizationFor(opts.token) } : {});
  return {
    /**
     * Exchanges a CI job's OIDC ID token for a short-lived `ztls_` token
     * (`POST /api/accounts/token_issuers/oidc/<issuer>/auth/`; validity 30–604800 s).
     */
    async exchangeOidcToken(issuerId: string, body: { jwt: string; name?: string; validity?: number }) {
      const path = `/api/accounts/token_issuers/oidc/${encodeURIComponent(issuerId)}/auth/`;
      const data = (await postJson(doFetch, new URL(path, origin), body)) as Partial<TokenExchange> | undefined;
      if (typeof data?.secret !== "string" || typeof data.expiry !== "string") {
        throw new FleetgateError("Token exchange answered without a secret", 200, "bad_response", undefined, data);
      }
      return data as TokenExchange;
    },
    /** `GET /api/task_result/<uuid>/` */
    taskResult: async (taskId: string) =>
      (await getJson(
        doFetch,
        new URL(`/api/task_result/${encodeURIComponent(taskId)}/`, origin),
        auth(),
      )) as TaskResult,
  };
}
