import { forgetOidcProvider, loadOidcProvider } from "../external-jwt/oidc-provider";
import { refuseTarget } from "../external-jwt/outbound";
import { loadSettings } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { ssoPolicy } from "./sso.service";

export interface DiscoverResult {
  success: boolean;
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  message?: string;
}

/**
 * `POST /settings/sso/discover`: fetches a discovery document (and its JWKS)
 * fresh, under the SSO target policy — https, no private / loopback /
 * link-local targets unless the deployment allows loopback for development,
 * no redirects, 5 s timeout, 256 KiB cap. A URL that may never be fetched is
 * a 400; a provider that fails is `success: false` with the reason.
 */
export async function discoverSso(ctx: DomainContext, discoveryUrl: string | undefined): Promise<DiscoverResult> {
  const url = discoveryUrl ?? (await loadSettings(ctx)).oidc.discovery_url;
  if (!url) throw new DomainError("common.validation", "discovery_url is required");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DomainError("common.validation", "discovery_url: not a URL");
  }
  const refused = refuseTarget(parsed, ssoPolicy(ctx));
  if (refused) throw new DomainError("common.validation", `discovery_url: ${refused}`);
  forgetOidcProvider(url);
  const res = await loadOidcProvider(url, ctx.now(), ssoPolicy(ctx));
  if (!res.ok)
    return {
      success: false,
      issuer: "",
      authorization_endpoint: "",
      token_endpoint: "",
      jwks_uri: "",
      message: `Failed to fetch OIDC discovery: ${res.reason}`,
    };
  const d = res.provider.discovery;
  const missing = [
    d.authorizationEndpoint ? undefined : "authorization_endpoint",
    d.tokenEndpoint ? undefined : "token_endpoint",
  ].filter((m) => m !== undefined);
  return {
    success: missing.length === 0,
    issuer: d.issuer,
    authorization_endpoint: d.authorizationEndpoint ?? "",
    token_endpoint: d.tokenEndpoint ?? "",
    jwks_uri: d.jwksUri,
    ...(d.userinfoEndpoint ? { userinfo_endpoint: d.userinfoEndpoint } : {}),
    ...(missing.length > 0 ? { message: `Discovery lacks a usable ${missing.join(" and ")}` } : {}),
  };
}

/** `POST /settings/sso/test` (and the Azure-era path): the saved configuration, checked end to end up to the JWKS. */
export async function testSso(ctx: DomainContext): Promise<{ success: boolean; message: string }> {
  const s = await loadSettings(ctx);
  if (!s.oidc.discovery_url) return { success: false, message: "SSO discovery URL is not configured" };
  if (!s.oidc.client_id) return { success: false, message: "SSO client_id is not configured" };
  let parsed: URL;
  try {
    parsed = new URL(s.oidc.discovery_url);
  } catch {
    return { success: false, message: "SSO discovery URL is not a URL" };
  }
  const refused = refuseTarget(parsed, ssoPolicy(ctx));
  if (refused) return { success: false, message: `SSO discovery URL: ${refused}` };
  forgetOidcProvider(s.oidc.discovery_url);
  const res = await loadOidcProvider(s.oidc.discovery_url, ctx.now(), ssoPolicy(ctx));
  if (!res.ok) return { success: false, message: `Failed to fetch OIDC discovery: ${res.reason}` };
  const d = res.provider.discovery;
  if (!d.authorizationEndpoint || !d.tokenEndpoint)
    return { success: false, message: "Discovery lacks a usable authorization_endpoint or token_endpoint" };
  const enabled = s.oidc.enabled ? "enabled" : "not enabled yet";
  return { success: true, message: `SSO configuration is valid (issuer ${d.issuer}; ${enabled})` };
}
