import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { vi } from "vitest";

/**
 * A fake OIDC provider for workerd tests (no network here): the domain's
 * discovery and JWKS fetches go through `globalThis.fetch`, which is stubbed
 * to answer for the registered issuers and refuse everything else.
 */
interface Key {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const issuers = new Map<string, FakeIssuer>();
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  const real = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    for (const issuer of issuers.values()) {
      const res = issuer.answer(url);
      if (res) return res;
    }
    if (url.hostname.endsWith(".test")) throw new TypeError(`fetch failed: ${url.host} unreachable`);
    return real(input, init);
  });
}

export class FakeIssuer {
  readonly uri: string;
  keys: Key[] = [];
  /** What discovery answers; `null` = down (connection refused). */
  discovery: Record<string, unknown> | null;
  jwksStatus = 200;
  fetches = { discovery: 0, jwks: 0 };

  private constructor(uri: string) {
    this.uri = uri;
    this.discovery = {
      issuer: uri,
      jwks_uri: `${uri}/jwks.json`,
      id_token_signing_alg_values_supported: ["RS256", "ES256"],
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
    };
  }

  /** A provider on a fresh random host (so the per-isolate JWKS cache never mixes tests). */
  static async create(opts: { rsaBits?: number; uri?: string } = {}): Promise<FakeIssuer> {
    install();
    const uri = opts.uri ?? `https://ci-${crypto.randomUUID().slice(0, 8)}.test`;
    const issuer = new FakeIssuer(uri);
    await issuer.addKey("RS256", opts.rsaBits ?? 2048);
    issuers.set(uri, issuer);
    return issuer;
  }

  async addKey(alg: "RS256" | "ES256", bits = 2048): Promise<Key> {
    // RSA keys straight from WebCrypto: jose (rightly) refuses to make or use 1024-bit ones.
    const { privateKey, publicKey } =
      alg === "RS256"
        ? ((await crypto.subtle.generateKey(
            {
              name: "RSASSA-PKCS1-v1_5",
              modulusLength: bits,
              publicExponent: new Uint8Array([1, 0, 1]),
              hash: "SHA-256",
            },
            true,
            ["sign", "verify"],
          )) as CryptoKeyPair)
        : await generateKeyPair(alg, { extractable: true });
    const kid = crypto.randomUUID();
    const key: Key = { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, use: "sig", alg } };
    this.keys.push(key);
    return key;
  }

  answer(url: URL): Response | undefined {
    if (!url.href.startsWith(this.uri)) return undefined;
    const path = url.href.slice(this.uri.length);
    if (path === "/.well-known/openid-configuration") {
      this.fetches.discovery++;
      if (this.discovery === null) throw new TypeError("fetch failed: connection refused");
      return Response.json(this.discovery);
    }
    if (path === "/jwks.json") {
      this.fetches.jwks++;
      return Response.json({ keys: this.keys.map((k) => k.publicJwk) }, { status: this.jwksStatus });
    }
    return new Response("not found", { status: 404 });
  }

  /** GitHub-Actions-like claims, overridable. */
  claims(over: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: this.uri,
      aud: "fleetgate",
      sub: "repo:acme/infra:ref:refs/heads/main",
      repository: "acme/infra",
      repository_owner: "acme",
      ref: "refs/heads/main",
      sha: "d6f2c1e0a1b2c3d4e5f60718293a4b5c6d7e8f90",
      workflow: "deploy",
      event_name: "push",
      run_id: "1234567890",
      run_number: "42",
      actor: "octocat",
      jti: crypto.randomUUID(),
      iat: now,
      nbf: now - 5,
      exp: now + 300,
      ...over,
    };
  }

  /** Signs `claims` (defaults: this.claims()) with a key of this issuer (default: the first). */
  async token(over: Record<string, unknown> = {}, opts: { key?: Key; header?: Record<string, unknown> } = {}) {
    const key = opts.key ?? this.keys[0];
    if (!key) throw new Error("no key");
    const payload = this.claims(over);
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    const header = { alg: key.alg, kid: key.kid, typ: "JWT", ...opts.header };
    if (key.alg !== "RS256") return new SignJWT(payload).setProtectedHeader(header as never).sign(key.privateKey);
    const b64 = (b: Uint8Array) =>
      btoa(String.fromCharCode(...b))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
    const enc = (o: unknown) => b64(new TextEncoder().encode(JSON.stringify(o)));
    const input = `${enc(header)}.${enc(payload)}`;
    const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.privateKey, new TextEncoder().encode(input));
    return `${input}.${b64(new Uint8Array(sig))}`;
  }
}
