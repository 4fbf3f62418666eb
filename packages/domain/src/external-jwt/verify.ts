import { type JWK, OIDC_ALGORITHMS, type OidcCheck, type OidcVerifyReport, verifyOidcToken } from "@fleetgate/auth";
import { loadJwksProvider, loadOidcProvider, type ProviderResult } from "./oidc-provider";
import type { TargetPolicy } from "./outbound";

/**
 * The one verifier of JWTs minted by external identity providers: SSO ID
 * tokens, CI token-issuer JWTs and Ziti external JWT signers. It loads
 * the provider's discovery and JWKS (cached, refreshed on an unknown `kid`) —
 * or, for a Ziti signer, its JWKS URL or pinned key without discovery —
 * then applies the algorithm policy (the provider's advertised algorithms ∩
 * an asymmetric allowlist, never `none` or HMAC) and the claim checks
 * (`iss`, `aud`, `exp`/`nbf`/`iat` with leeway, `nonce` when expected) in
 * `@fleetgate/auth`'s `verifyOidcToken` (RFC 8725, OIDC Core §3.1.3.7).
 */
export interface ExternalJwtInput {
  token: string;
  /**
   * Issuer URI (discovery appended) or the discovery document's URL; or a
   * signer without discovery: its JWKS URL, or one pinned key (e.g. from a
   * certificate). Without discovery `issuer` is required and the algorithms
   * are the asymmetric allowlist.
   */
  provider: string | { jwksUrl: string } | { key: JWK };
  /** Expected `iss`; defaults to the `issuer` of the discovery document. */
  issuer?: string;
  audience: string;
  nonce?: string;
  now: number;
  policy?: TargetPolicy;
  leewaySeconds?: number;
}

export interface ExternalJwtReport extends OidcVerifyReport {
  /** The discovery step first, then every verification check. */
  checks: OidcCheck[];
}

/** Verifies an external JWT; never throws (an unreachable provider is a failed `discovery` check). */
export async function verifyExternalJwt(input: ExternalJwtInput): Promise<ExternalJwtReport> {
  const provider = await resolveProvider(input);
  if (!provider.ok) {
    return {
      ok: false,
      checks: [{ check: "discovery", ok: false, detail: provider.reason }],
      header: null,
      claims: null,
    };
  }
  const p = provider.provider;
  const discovery: OidcCheck = { check: "discovery", ok: true, detail: `jwks_uri ${p.discovery.jwksUri}` };
  const report = await verifyOidcToken({
    token: input.token,
    issuer: input.issuer ?? p.discovery.issuer,
    audience: input.audience,
    advertisedAlgorithms: p.discovery.algorithms,
    now: input.now,
    nonce: input.nonce,
    leewaySeconds: input.leewaySeconds,
    resolveKey: (kid) => p.resolveKey(kid),
  });
  return { ...report, checks: [discovery, ...report.checks] };
}

async function resolveProvider(input: ExternalJwtInput): Promise<ProviderResult> {
  const source = input.provider;
  if (typeof source === "string") return loadOidcProvider(source, input.now, input.policy);
  if (input.issuer === undefined) return { ok: false, reason: "no issuer configured" };
  if ("jwksUrl" in source)
    return loadJwksProvider(source.jwksUrl, input.issuer, OIDC_ALGORITHMS, input.now, input.policy);
  const pinned = source.key;
  const algorithms = typeof pinned.alg === "string" ? [pinned.alg] : [...OIDC_ALGORITHMS];
  return {
    ok: true,
    provider: {
      discovery: { issuer: input.issuer, jwksUri: "(pinned key)", algorithms },
      resolveKey: async (kid) => (kid === pinned.kid ? pinned : undefined),
    },
  };
}
