import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { vi } from "vitest";

/**
 * A fake OIDC provider for the SSO flow inside workerd (no network here):
 * discovery, JWKS, an authorization step the test drives (`authorize`), and a
 * token endpoint that checks the PKCE verifier (RFC 7636 §4.6), the client
 * id/secret and the redirect URI like a real provider, then returns an ID token
 * whose claims and signature the test can spoil.
 */
export interface Grant {
  challenge: string;
  nonce: string;
  redirectUri: string;
  clientId: string;
  claims: Record<string, unknown>;
  /** Replaces the ID token entirely (forged tokens). */
  idToken?: (fake: SsoFake, claims: Record<string, unknown>) => Promise<string>;
}

const fakes = new Map<string, SsoFake>();
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  const real = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const fake = fakes.get(url.origin);
    if (fake) return fake.answer(url, init);
    if (url.hostname.endsWith(".test")) throw new TypeError(`fetch failed: ${url.host} unreachable`);
    return real(input, init);
  });
}

const b64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

export class SsoFake {
  readonly origin = `https://idp-${crypto.randomUUID().slice(0, 8)}.test`;
  readonly clientId = `fleetgate-${crypto.randomUUID().slice(0, 6)}`;
  readonly clientSecret = `s3cret-${crypto.randomUUID()}`;
  kid = crypto.randomUUID();
  privateKey!: CryptoKey;
  publicJwk!: JWK;
  grants = new Map<string, Grant>();
  /** Token requests as received (form fields). */
  tokenRequests: Record<string, string>[] = [];

  static async create(): Promise<SsoFake> {
    install();
    const f = new SsoFake();
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    f.privateKey = privateKey;
    f.publicJwk = { ...(await exportJWK(publicKey)), kid: f.kid, use: "sig", alg: "ES256" };
    fakes.set(f.origin, f);
    return f;
  }

  get discoveryUrl() {
    return `${this.origin}/.well-known/openid-configuration`;
  }

  async answer(url: URL, init?: RequestInit): Promise<Response> {
    if (url.pathname === "/.well-known/openid-configuration")
      return Response.json({
        issuer: this.origin,
        authorization_endpoint: `${this.origin}/authorize`,
        token_endpoint: `${this.origin}/token`,
        jwks_uri: `${this.origin}/jwks`,
        userinfo_endpoint: `${this.origin}/userinfo`,
        id_token_signing_alg_values_supported: ["ES256", "RS256"],
        code_challenge_methods_supported: ["S256"],
        response_types_supported: ["code"],
      });
    if (url.pathname === "/jwks") return Response.json({ keys: [this.publicJwk] });
    if (url.pathname === "/token" && init?.method === "POST") return this.tokenEndpoint(String(init.body ?? ""));
    return new Response("not found", { status: 404 });
  }

  private async tokenEndpoint(body: string): Promise<Response> {
    const form = Object.fromEntries(new URLSearchParams(body));
    this.tokenRequests.push(form);
    const refuse = (error: string) => Response.json({ error }, { status: 400 });
    const grant = this.grants.get(form.code ?? "");
    if (form.grant_type !== "authorization_code" || !grant) return refuse("invalid_grant");
    this.grants.delete(form.code ?? "");
    if (form.client_id !== this.clientId || form.client_secret !== this.clientSecret) return refuse("invalid_client");
    if (form.redirect_uri !== grant.redirectUri) return refuse("invalid_grant");
    if (!form.code_verifier || (await s256(form.code_verifier)) !== grant.challenge) return refuse("invalid_grant");
    const claims = this.claimsFor(grant);
    const idToken = grant.idToken ? await grant.idToken(this, claims) : await this.sign(claims);
    return Response.json({ access_token: "idp-access", token_type: "Bearer", expires_in: 300, id_token: idToken });
  }

  /** The provider's consent step: checks the request and returns the code it would redirect with. */
  authorize(location: string, claims: Record<string, unknown> = {}, opts: Partial<Grant> = {}): string {
    const u = new URL(location);
    if (`${u.origin}${u.pathname}` !== `${this.origin}/authorize`) throw new Error(`not our authorize: ${location}`);
    const p = u.searchParams;
    if (p.get("response_type") !== "code" || p.get("code_challenge_method") !== "S256")
      throw new Error("bad authorization request");
    const code = b64url(crypto.getRandomValues(new Uint8Array(24)));
    this.grants.set(code, {
      challenge: p.get("code_challenge") ?? "",
      nonce: p.get("nonce") ?? "",
      redirectUri: p.get("redirect_uri") ?? "",
      clientId: p.get("client_id") ?? "",
      claims,
      ...opts,
    });
    return code;
  }

  /** Standard ID-token claims for `grant`, overridden by the grant's claims (undefined removes a claim). */
  claimsFor(grant: Grant): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const out: Record<string, unknown> = {
      iss: this.origin,
      aud: grant.clientId,
      sub: "sub-alice",
      email: "alice@corp.test",
      email_verified: true,
      name: "Alice Example",
      preferred_username: "alice",
      nonce: grant.nonce,
      iat: now,
      exp: now + 300,
      ...grant.claims,
    };
    for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
    return out;
  }

  sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: this.kid, typ: "JWT", ...header } as never)
      .sign(this.privateKey);
  }
}

/** S256 code challenge of a verifier (RFC 7636 §4.2). */
export async function s256(verifier: string): Promise<string> {
  return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}
