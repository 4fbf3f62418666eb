/**
 * Wire conformance of the Ziti edge-client face with the upstream Swagger 2.0
 * document (openziti/edge-api v0.26.38 client.yml), against a real `wrangler dev`.
 * The spec is read from disk only when present (it is reference material, never
 * part of the project); without it only our own generated document is checked.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { webCryptoCsr } from "@fleetgate/pki/testing";
import { validate as validateOpenApi } from "@readme/openapi-parser";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { Secret, TOTP } from "otpauth";
import { describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { E2E_ADMIN } from "./global-setup";
import { e2eCa, e2eCsr, mtlsPost } from "./mtls-client";
import { startMtlsProxy } from "./mtls-proxy";
import { referenceFile } from "./reference";

const SPEC_PATH = referenceFile(
  "specs/ziti-edge-client-0.26.38.yml",
  "conformance with the upstream Ziti edge-client spec",
  process.env.ZITI_EDGE_CLIENT_SPEC,
);
const base = () => `${inject("baseUrl")}/edge/client/v1`;

/**
 * Where we knowingly differ from the document (each is a defect of the spec, not
 * of the wire format the controller actually sends):
 *  - apiSessionDetail lists `cachedUpdatedAt` as required but never declares it;
 *    the controller sends `cachedLastActivityAt` (declared) and never `cachedUpdatedAt`.
 *  - apiError.cause is `null` when there is no cause (the spec's own 404 examples
 *    show `cause: null`), so it is treated as nullable.
 *  - link.href is `format: uri` but every href is relative (`./current-identity`),
 *    which Go's strfmt accepts; validated as `uri-reference`.
 *  - clientExternalJwtSignerDetail.externalAuthUrl is required and non-nullable,
 *    but the controller sends its nil pointer as `null` for a signer without one
 *    (so does Fleetgate); validated as nullable.
 *  - serviceDetail.config declares each config's fields as `type: object`, which
 *    go-swagger renders as `interface{}` (any JSON value: `{"port": 443}`); the
 *    innermost level is validated as any value.
 */
type Json = Record<string, unknown>;

/** Swagger 2.0 schema → JSON Schema for Ajv: x-nullable → null allowed, vendor keys and examples dropped. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k.startsWith("x-") || k === "example" || k === "discriminator") continue;
    out[k] = k === "properties" || k === "definitions" ? mapValues(v as Json) : toJsonSchema(v);
  }
  if (out.format === "uri") out.format = "uri-reference";
  return (node as Json)["x-nullable"] === true ? { anyOf: [out, { type: "null" }] } : out;
}
const mapValues = (o: Json) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toJsonSchema(v)]));

function loadSpec(file: string) {
  const spec = parse(readFileSync(file, "utf8")) as { definitions: Json; info: { version: string } };
  const defs = structuredClone(spec.definitions) as Record<string, Json>;
  const apiSession = defs.apiSessionDetail?.allOf as Json[];
  const own = apiSession[1] as { required: string[] };
  own.required = own.required.filter((f) => f !== "cachedUpdatedAt");
  (defs.apiError?.properties as Json).cause = { $ref: "#/definitions/apiErrorCause", "x-nullable": true };
  const signerDef = defs.clientExternalJwtSignerDetail as { allOf: Json[] };
  const signerOwn = signerDef.allOf[1] as { properties: Json };
  (signerOwn.properties.externalAuthUrl as Json)["x-nullable"] = true;
  const serviceDetail = defs.serviceDetail as { allOf: { properties: { config: Json } }[] };
  const serviceOwn = serviceDetail.allOf[1] as { properties: { config: Json } };
  serviceOwn.properties.config = { type: "object", additionalProperties: { type: "object" } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("int64", true).addFormat("int32", true);
  ajv.addSchema({ $id: "ziti", definitions: mapValues(defs) });
  const cache = new Map<string, ValidateFunction>();
  const validator = (name: string) => {
    let v = cache.get(name);
    if (!v) {
      v = ajv.getSchema(`ziti#/definitions/${name}`);
      if (!v) throw new Error(`no definition ${name}`);
      cache.set(name, v);
    }
    return v;
  };
  /** Property names a definition declares (through allOf and $ref). */
  const declared = (def: Json): Set<string> => {
    const names = new Set<string>(Object.keys((def.properties as Json) ?? {}));
    for (const part of (def.allOf as Json[]) ?? []) {
      const ref = typeof part.$ref === "string" ? defs[part.$ref.replace("#/definitions/", "")] : part;
      for (const n of declared(ref ?? {})) names.add(n);
    }
    return names;
  };
  return {
    spec,
    validator,
    undeclared: (name: string, data: Json) => Object.keys(data).filter((k) => !declared(defs[name] ?? {}).has(k)),
  };
}

async function req(path: string, init: { method?: string; json?: unknown; session?: string; headers?: Json } = {}) {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.session) headers["zt-session"] = init.session;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base()}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const json = (res.headers.get("content-type") ?? "").includes("json");
  return { res, body: json ? ((await res.json()) as Json) : ({} as Json) };
}

const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete"]);
/** Every operation the face serves (docs/ziti.md "Operations"). */
const IMPLEMENTED = [
  "GET /",
  "GET /version",
  "GET /enumerated-capabilities",
  "GET /protocols",
  "GET /specs",
  "GET /specs/{id}",
  "GET /specs/{id}/spec",
  "GET /.well-known/est/cacerts",
  "POST /authenticate",
  "POST /authenticate/mfa",
  "GET /current-api-session",
  "DELETE /current-api-session",
  "GET /current-api-session/certificates",
  "POST /current-api-session/certificates",
  "GET /current-api-session/certificates/{id}",
  "DELETE /current-api-session/certificates/{id}",
  "GET /current-api-session/service-updates",
  "GET /current-identity",
  "GET /current-identity/authenticators",
  "GET /current-identity/authenticators/{id}",
  "PUT /current-identity/authenticators/{id}",
  "PATCH /current-identity/authenticators/{id}",
  "POST /current-identity/authenticators/{id}/extend",
  "POST /current-identity/authenticators/{id}/extend-verify",
  "GET /current-identity/edge-routers",
  "GET /current-identity/mfa",
  "POST /current-identity/mfa",
  "DELETE /current-identity/mfa",
  "GET /current-identity/mfa/qr-code",
  "GET /current-identity/mfa/recovery-codes",
  "POST /current-identity/mfa/recovery-codes",
  "POST /current-identity/mfa/verify",
  "GET /controllers",
  "GET /external-jwt-signers",
  "POST /enroll",
  "POST /enroll/ott",
  "POST /enroll/updb",
  "POST /enroll/challenge",
  "POST /enroll/ca",
  "POST /enroll/ottca",
  "GET /enroll/jwks",
  "GET /network-jwts",
  "POST /posture-response",
  "POST /posture-response-bulk",
  "GET /services",
  "GET /services/{id}",
  "PUT /services/{id}",
  "PATCH /services/{id}",
  "DELETE /services/{id}",
  "GET /services/{id}/edge-routers",
  "GET /services/{id}/terminators",
  "GET /sessions",
  "POST /sessions",
  "GET /sessions/{id}",
  "DELETE /sessions/{id}",
];

const totp = (secret: string, at: number) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: at });

async function newPerson() {
  const root = inject("baseUrl");
  const login = await fetch(`${root}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(E2E_ADMIN),
  });
  expect(login.status).toBe(200);
  const { access_token } = (await login.json()) as { access_token: string };
  const username = `ziti-e2e-${Date.now().toString(36)}`;
  const password = "E2e-Ziti-Pass-1!";
  const created = await fetch(`${root}/api/v1/users`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ username, email: `${username}@example.test`, role: "operator", password }),
  });
  expect(created.status).toBe(200);
  const { id } = (await created.json()) as { id: string };
  return { username, password, id };
}

describe("Ziti edge-client face", () => {
  it("serves its own generated OpenAPI 3.1 document at /specs/edge-client/spec", async () => {
    const { res, body } = await req("/specs/edge-client/spec");
    expect(res.status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    const result = await validateOpenApi(structuredClone(body) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it("the served document lists every operation Fleetgate implements, and (with the spec) every upstream one but the known gaps", async () => {
    const { body } = await req("/specs/edge-client/spec");
    const served = new Set<string>();
    for (const [p, ops] of Object.entries(body.paths as Record<string, Json>)) {
      for (const m of Object.keys(ops)) if (HTTP_METHODS.has(m)) served.add(`${m.toUpperCase()} ${p}`);
    }
    for (const op of IMPLEMENTED) expect(served, op).toContain(op);
    if (SPEC_PATH === undefined) return;
    const upstream = parse(readFileSync(SPEC_PATH, "utf8")) as { paths: Record<string, Json> };
    const missing: string[] = [];
    for (const [p, ops] of Object.entries(upstream.paths)) {
      for (const m of Object.keys(ops)) {
        const op = `${m.toUpperCase()} ${p}`;
        if (HTTP_METHODS.has(m) && !served.has(op)) missing.push(op);
      }
    }
    // Router enrollment is the data plane (docs/ziti.md).
    expect(missing.sort()).toEqual(["POST /enroll/erott", "POST /enroll/extend/router"]);
  });

  it.skipIf(SPEC_PATH === undefined)("responses conform to the upstream 0.26.38 Swagger definitions", async () => {
    if (SPEC_PATH === undefined) return;
    const { spec, validator, undeclared } = loadSpec(SPEC_PATH);
    expect(spec.info.version).toBe("0.26.38");
    const problems: string[] = [];
    const check = (what: string, definition: string, payload: unknown) => {
      const v = validator(definition);
      if (!v(payload)) problems.push(`${what} ≠ ${definition}: ${JSON.stringify(v.errors)}`);
    };
    const extras = (what: string, definition: string, data: unknown) => {
      const names = undeclared(definition, data as Json);
      if (names.length) problems.push(`${what}: fields not in ${definition}: ${names.join(", ")}`);
    };

    check("GET /version", "listVersionEnvelope", (await req("/version")).body);
    check("GET /specs", "listSpecsEnvelope", (await req("/specs")).body);
    check("GET /specs/edge-client", "detailSpecEnvelope", (await req("/specs/edge-client")).body);

    // Errors.
    check("401 no session", "apiErrorEnvelope", (await req("/current-identity")).body);
    check("404", "apiErrorEnvelope", (await req("/specs/nope")).body);
    const badAuth = await req("/authenticate?method=password", {
      method: "POST",
      json: { username: "nobody-x", password: "nope-nope" },
    });
    expect(badAuth.res.status).toBe(401);
    check("401 INVALID_AUTH", "apiErrorEnvelope", badAuth.body);
    const invalid = await req("/authenticate?method=password", {
      method: "POST",
      json: { username: "abc", password: "x" },
    });
    expect(invalid.res.status).toBe(400);
    check("400 COULD_NOT_VALIDATE", "apiErrorEnvelope", invalid.body);

    // Sessions.
    const who = await newPerson();
    const auth = await req("/authenticate?method=password", {
      method: "POST",
      json: { ...who, envInfo: { os: "linux", arch: "amd64" }, sdkInfo: { type: "e2e", version: "1" } },
    });
    expect(auth.res.status).toBe(200);
    check("POST /authenticate", "currentApiSessionDetailEnvelope", auth.body);
    extras("POST /authenticate", "currentApiSessionDetail", auth.body.data);
    const s = auth.res.headers.get("zt-session") ?? "";
    const current = await req("/current-api-session", { session: s });
    check("GET /current-api-session", "currentApiSessionDetailEnvelope", current.body);
    const me = await req("/current-identity", { session: s });
    check("GET /current-identity", "currentIdentityDetailEnvelope", me.body);
    extras("GET /current-identity", "identityDetail", me.body.data);
    const auths = await req("/current-identity/authenticators", { session: s });
    check("GET /current-identity/authenticators", "listAuthenticatorsEnvelope", auths.body);
    const first = (auths.body.data as Json[])[0] as Json;
    extras("authenticator", "authenticatorDetail", first);
    const one = await req(`/current-identity/authenticators/${first.id}`, { session: s });
    check("GET /current-identity/authenticators/{id}", "detailAuthenticatorEnvelope", one.body);
    check(
      "400 INVALID_PAGINATION",
      "apiErrorEnvelope",
      (await req("/current-identity/authenticators?limit=x", { session: s })).body,
    );

    // MFA, end to end.
    const enrolled = await req("/current-identity/mfa", { method: "POST", session: s });
    expect(enrolled.res.status).toBe(201);
    check("POST /current-identity/mfa", "createEnvelope", enrolled.body);
    const unverified = await req("/current-identity/mfa", { session: s });
    check("GET /current-identity/mfa (unverified)", "detailMfaEnvelope", unverified.body);
    extras("detailMfa", "detailMfa", unverified.body.data);
    const secret = new URL((unverified.body.data as Json).provisioningUrl as string).searchParams.get("secret") ?? "";
    const at = Date.now();
    const verified = await req("/current-identity/mfa/verify", {
      method: "POST",
      session: s,
      json: { code: totp(secret, at) },
    });
    expect(verified.res.status).toBe(200);
    check("POST /current-identity/mfa/verify", "empty", verified.body);
    check(
      "GET /current-identity/mfa (verified)",
      "detailMfaEnvelope",
      (await req("/current-identity/mfa", { session: s })).body,
    );
    const codes = await req("/current-identity/mfa/recovery-codes", {
      session: s,
      headers: { "mfa-validation-code": totp(secret, at + 30_000) },
    });
    expect(codes.res.status).toBe(200);
    check("GET /current-identity/mfa/recovery-codes", "detailMfaRecoveryCodesEnvelope", codes.body);
    const recovery = (codes.body.data as { recoveryCodes: string[] }).recoveryCodes;
    const partial = await req("/authenticate?method=password", { method: "POST", json: who });
    check("POST /authenticate (MFA pending)", "currentApiSessionDetailEnvelope", partial.body);
    const ps = partial.res.headers.get("zt-session") ?? "";
    const mfaDone = await req("/authenticate/mfa", { method: "POST", session: ps, json: { code: recovery[0] } });
    expect(mfaDone.res.status).toBe(200);
    check("POST /authenticate/mfa", "empty", mfaDone.body);
    const disabled = await req("/current-identity/mfa", {
      method: "DELETE",
      session: s,
      headers: { "mfa-validation-code": recovery[1] },
    });
    expect(disabled.res.status).toBe(200);
    check("DELETE /current-identity/mfa", "empty", disabled.body);

    const logout = await req("/current-api-session", { method: "DELETE", session: s });
    check("DELETE /current-api-session", "empty", logout.body);

    expect(problems).toEqual([]);

    // The validator is not vacuous: it rejects what the spec forbids.
    const broken = structuredClone(auth.body) as { data: Json };
    delete broken.data.token;
    broken.data.isMfaRequired = "yes";
    expect(validator("currentApiSessionDetailEnvelope")(broken)).toBe(false);
    expect(validator("apiErrorEnvelope")({ error: { code: 401 }, meta: {} })).toBe(false);
    expect(undeclared("identityDetail", { name: "x", bogus: 1 })).toEqual(["bogus"]);
  });

  it.skipIf(SPEC_PATH === undefined)(
    "the scripted SDK session of reference §8 validates against the spec at every step",
    async () => {
      if (SPEC_PATH === undefined) return;
      const { validator } = loadSpec(SPEC_PATH);
      const problems: string[] = [];
      const check = (what: string, definition: string, payload: unknown) => {
        const v = validator(definition);
        if (!v(payload)) problems.push(`${what} ≠ ${definition}: ${JSON.stringify(v.errors)}`);
      };
      const root = inject("baseUrl");
      const u = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      const login = await fetch(`${root}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(E2E_ADMIN),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const admin = async (method: string, path: string, json?: unknown) => {
        const res = await fetch(`${root}/api/v1${path}`, {
          method,
          headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
          body: json === undefined ? undefined : JSON.stringify(json),
        });
        if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as { id: string };
      };

      // A JWKS on loopback for the external JWT signer.
      const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: "e2e-1", alg: "ES256", use: "sig" };
      const idp: Server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((r) => idp.listen(0, "127.0.0.1", r));
      const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
      try {
        // The network: one attribute for the person, the service, the router and the policies.
        const attr = `sdk-${u}`;
        const { id: personId, ...who } = await newPerson();
        await admin("PUT", `/ziti/identities/${personId}/role-attributes`, { roleAttributes: [attr] });
        const ctName = `intercept.v1.${u}`;
        const ct = await admin("POST", "/ziti/config-types", { name: ctName });
        const cfg = await admin("POST", "/ziti/configs", {
          name: `cfg-${u}`,
          configTypeId: ct.id,
          data: { port: 443 },
        });
        const svc = await admin("POST", "/ziti/services", {
          name: `svc-${u}`,
          roleAttributes: [attr],
          configs: [cfg.id],
        });
        await admin("POST", "/ziti/edge-routers", {
          name: `er-${u}`,
          hostname: "er.example.test",
          supportedProtocols: { tls: "tls://er.example.test:3022" },
          isOnline: true,
          roleAttributes: [attr],
        });
        await admin("POST", "/ziti/edge-router-policies", {
          name: `erp-${u}`,
          identityRoles: [`#${attr}`],
          edgeRouterRoles: [`#${attr}`],
        });
        await admin("POST", "/ziti/service-edge-router-policies", {
          name: `serp-${u}`,
          serviceRoles: [`#${attr}`],
          edgeRouterRoles: [`#${attr}`],
        });
        const os = await admin("POST", "/ziti/posture-checks", {
          name: `os-${u}`,
          typeId: "OS",
          roleAttributes: [`os-${u}`],
          operatingSystems: [{ type: "Linux", versions: [] }],
        });
        const dialPolicy = {
          name: `dial-${u}`,
          type: "Dial",
          identityRoles: [`#${attr}`],
          serviceRoles: [`#${attr}`],
          postureCheckRoles: [`#os-${u}`],
        };
        const dial = await admin("POST", "/ziti/service-policies", dialPolicy);
        const bind = await admin("POST", "/ziti/service-policies", {
          name: `bind-${u}`,
          type: "Bind",
          identityRoles: [`#${attr}`],
          serviceRoles: [`#${attr}`],
        });
        await admin("POST", "/ziti/external-jwt-signers", {
          name: `signer-${u}`,
          issuer,
          audience: "ziti-e2e",
          jwksEndpoint: `${issuer}/jwks.json`,
          externalAuthUrl: "https://idp.example.com/authorize",
        });

        // version → authenticate (password, ext-jwt).
        check("GET /version", "listVersionEnvelope", (await req("/version")).body);
        const auth = await req("/authenticate?method=password", {
          method: "POST",
          json: { ...who, configTypes: [ctName] },
        });
        expect(auth.res.status).toBe(200);
        check("POST /authenticate password", "currentApiSessionDetailEnvelope", auth.body);
        expect((auth.body.data as Json).configTypes).toEqual([ct.id]);
        const s = auth.res.headers.get("zt-session") ?? "";
        check(
          "GET /external-jwt-signers",
          "listClientExternalJwtSignersEnvelope",
          (await req("/external-jwt-signers")).body,
        );
        const jwt = await new SignJWT({ sub: personId })
          .setProtectedHeader({ alg: "ES256", kid: "e2e-1" })
          .setIssuer(issuer)
          .setAudience("ziti-e2e")
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey);
        const ext = await req("/authenticate?method=ext-jwt", {
          method: "POST",
          json: {},
          headers: { authorization: `Bearer ${jwt}` },
        });
        expect(ext.res.status).toBe(200);
        check("POST /authenticate ext-jwt", "currentApiSessionDetailEnvelope", ext.body);
        const bad = await req("/authenticate?method=ext-jwt", { method: "POST", json: {} });
        expect(bad.res.status).toBe(401);
        check("401 ext-jwt without bearer", "apiErrorEnvelope", bad.body);

        // What the SDK reads after login.
        check("GET /controllers", "listControllersEnvelope", (await req("/controllers", { session: s })).body);
        check(
          "GET /current-identity/edge-routers",
          "listCurrentIdentityEdgeRoutersEnvelope",
          (await req("/current-identity/edge-routers", { session: s })).body,
        );
        const services = await req(`/services?limit=500&offset=0&configTypes=${ctName}`, { session: s });
        check("GET /services", "listServicesEnvelope", services.body);
        const mine = (services.body.data as Json[]).find((x) => x.id === svc.id) as Json;
        expect(mine.permissions).toEqual(expect.arrayContaining(["Dial", "Bind"]));
        expect(mine.config).toEqual({ [ctName]: { port: 443 } });
        check("GET /services/{id}", "detailServiceEnvelope", (await req(`/services/${svc.id}`, { session: s })).body);
        const updates = async () => {
          const r = await req("/current-api-session/service-updates", { session: s });
          check("GET service-updates", "listCurrentApiSessionServiceUpdatesEnvelope", r.body);
          return (r.body.data as { lastChangeAt: string }).lastChangeAt;
        };
        const t1 = await updates();

        // Dial needs the OS posture: refused first, then allowed after the posture response.
        const refused = await req("/sessions", {
          method: "POST",
          session: s,
          json: { serviceId: svc.id, type: "Dial" },
        });
        expect(refused.res.status).toBe(409);
        expect((refused.body.error as Json).code).toBe("INVALID_POSTURE");
        check("409 INVALID_POSTURE", "apiErrorEnvelope", refused.body);
        const posture = await req("/posture-response", {
          method: "POST",
          session: s,
          json: { typeId: "OS", id: os.id, type: "Linux", version: "6.1.0" },
        });
        expect(posture.res.status).toBe(201);
        check("POST /posture-response", "postureResponseEnvelope", posture.body);
        const t2 = await updates();
        expect(t2).not.toBe(t1);
        for (const type of ["Dial", "Bind"]) {
          const created = await req("/sessions", { method: "POST", session: s, json: { serviceId: svc.id, type } });
          expect(created.res.status, type).toBe(201);
          check(`POST /sessions ${type}`, "sessionCreateEnvelope", created.body);
        }
        const sessions = await req("/sessions", { session: s });
        check("GET /sessions", "listSessionsEnvelope", sessions.body);
        const firstSession = (sessions.body.data as Json[])[0] as Json;
        check(
          "GET /sessions/{id}",
          "detailSessionEnvelope",
          (await req(`/sessions/${firstSession.id}`, { session: s })).body,
        );
        check(
          "GET /services/{id}/edge-routers",
          "listServiceEdgeRoutersEnvelope",
          (await req(`/services/${svc.id}/edge-routers`, { session: s })).body,
        );
        const terminators = await req(`/services/${svc.id}/terminators`, { session: s });
        check("GET /services/{id}/terminators", "listClientTerminatorsEnvelope", terminators.body);
        expect((terminators.body.data as Json[]).length).toBeGreaterThan(0);
        const bulk = await req("/posture-response-bulk", {
          method: "POST",
          session: s,
          json: [{ typeId: "OS", id: os.id, type: "Linux", version: "6.1.0" }],
        });
        expect(bulk.res.status).toBe(200);
        check("POST /posture-response-bulk", "postureResponseEnvelope", bulk.body);
        expect(await updates()).toBe(t2);
        const ended = await req(`/sessions/${firstSession.id}`, { method: "DELETE", session: s });
        check("DELETE /sessions/{id}", "empty", ended.body);

        // Ephemeral API-session certificates (a CSR for the identity), listed with a ZitiQL filter.
        const csr = await webCryptoCsr(`CN=${personId}`);
        const cert = await req("/current-api-session/certificates", { method: "POST", session: s, json: { csr } });
        expect(cert.res.status).toBe(201);
        check("POST /current-api-session/certificates", "createCurrentApiSessionCertificateEnvelope", cert.body);
        const certId = (cert.body.data as Json).id as string;
        const certs = await req(`/current-api-session/certificates?filter=${encodeURIComponent(`id = "${certId}"`)}`, {
          session: s,
        });
        check("GET /current-api-session/certificates", "listCurrentApiSessionCertificatesEnvelope", certs.body);
        expect((certs.body.data as Json[]).map((x) => x.id)).toEqual([certId]);
        check(
          "GET /current-api-session/certificates/{id}",
          "detailCurrentApiSessionCertificateEnvelope",
          (await req(`/current-api-session/certificates/${certId}`, { session: s })).body,
        );
        check(
          "DELETE /current-api-session/certificates/{id}",
          "empty",
          (await req(`/current-api-session/certificates/${certId}`, { method: "DELETE", session: s })).body,
        );

        // Informational and enrollment-trust reads.
        check(
          "GET /enumerated-capabilities",
          "listEnumeratedCapabilitiesEnvelope",
          (await req("/enumerated-capabilities")).body,
        );
        check("GET /protocols", "listProtocolsEnvelope", (await req("/protocols")).body);
        check("GET /network-jwts", "listNetworkJWTsEnvelope", (await req("/network-jwts")).body);
        const jwks = await req("/enroll/jwks");
        check("GET /enroll/jwks", "jwks", jwks.body);
        const kid = ((jwks.body.keys as Json[])[0] as Json).kid as string;
        const challenge = await req("/enroll/challenge", {
          method: "POST",
          json: { keyId: kid, nonce: crypto.randomUUID() },
        });
        expect(challenge.res.status).toBe(200);
        check("POST /enroll/challenge", "nonceSignature", challenge.body);

        // A policy change moves lastChangeAt and removes the service.
        await admin("PUT", `/ziti/service-policies/${dial.id}`, { ...dialPolicy, identityRoles: [`#nobody-${u}`] });
        await admin("DELETE", `/ziti/service-policies/${bind.id}`);
        const t3 = await updates();
        expect(t3).not.toBe(t2);
        const after = await req("/services?limit=500", { session: s });
        check("GET /services (after the change)", "listServicesEnvelope", after.body);
        expect((after.body.data as Json[]).some((x) => x.id === svc.id)).toBe(false);
        expect(problems).toEqual([]);
      } finally {
        await new Promise<void>((r) => idp.close(() => r()));
      }
    },
  );
  it.skipIf(SPEC_PATH === undefined)(
    "the certificate step of §8 over mTLS: cert authentication, /enroll/ca and /enroll/ottca validate against the spec",
    async () => {
      if (SPEC_PATH === undefined) return;
      const { validator } = loadSpec(SPEC_PATH);
      const problems: string[] = [];
      const check = (what: string, definition: string, payload: unknown) => {
        const v = validator(definition);
        if (!v(payload)) problems.push(`${what} ≠ ${definition}: ${JSON.stringify(v.errors)}`);
      };
      const root = inject("baseUrl");
      const tls = inject("testTls");
      const u = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      const login = await fetch(`${root}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(E2E_ADMIN),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const admin = async (path: string, json: unknown) => {
        const res = await fetch(`${root}/api/v1${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
          body: JSON.stringify(json),
        });
        if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as Json;
      };

      // A network-issued certificate (ott), and a third-party CA registered and verified by proof of possession.
      const ott = await admin("/enrollments", { name: `cert-${u}`, kind: "service", method: "ott" });
      const { csr, key } = await e2eCsr(ott.identity_id as string);
      const enrolled = await req("/enroll/ott", { method: "POST", json: { token: ott.jwt, clientCsr: csr } });
      expect(enrolled.res.status).toBe(200);
      const issued = enrolled.body.data as { cert: string; ca: string };
      const thirdParty = await e2eCa(`E2E third-party CA ${u}`);
      const ca = await admin("/ziti/cas", {
        name: `ca-${u}`,
        certPem: thirdParty.pem,
        isAutoCaEnrollmentEnabled: true,
        isOttCaEnrollmentEnabled: true,
        isAuthEnabled: true,
        identityRoles: [`tp-${u}`],
      });
      await admin(`/ziti/cas/${ca.id}/verify`, {
        certPem: (await thirdParty.issue(ca.verificationToken as string)).cert,
      });

      // The edge in front of wrangler dev: it trusts our CA chain and the third-party CA.
      const proxy = await startMtlsProxy(root, tls, [issued.ca, thirdParty.pem]);
      const edge = (path: string, json: unknown, client?: { cert: string; key: string }) =>
        mtlsPost(`${proxy.url}/edge/client/v1${path}`, tls.caFile, json, client);
      try {
        const ours = await edge("/authenticate?method=cert", {}, { cert: issued.cert, key });
        expect(ours.status).toBe(200);
        check("POST /authenticate cert", "currentApiSessionDetailEnvelope", ours.body);
        expect((ours.body.data as Json).identityId).toBe(ott.identity_id);
        const none = await edge("/authenticate?method=cert", {});
        expect(none.status).toBe(401);
        check("401 cert without a certificate", "apiErrorEnvelope", none.body);

        // /enroll/ca: a device certificate of the verified CA becomes an identity that authenticates.
        const device = await thirdParty.issue(`device-${u}`);
        const auto = await edge("/enroll/ca", { name: `kiosk-${u}` }, device);
        expect(auto.status).toBe(200);
        check("POST /enroll/ca", "empty", auto.body);
        const again = await edge("/enroll/ca", {}, device);
        expect(again.status).toBe(409);
        check("409 CERT_IN_USE", "apiErrorEnvelope", again.body);
        const deviceLogin = await edge("/authenticate?method=cert", {}, device);
        expect(deviceLogin.status).toBe(200);
        check("POST /authenticate cert (third-party)", "currentApiSessionDetailEnvelope", deviceLogin.body);
        const deviceSession = (deviceLogin.body.data as Json).token as string;
        check(
          "GET /current-identity (third-party cert)",
          "currentIdentityDetailEnvelope",
          (await req("/current-identity", { session: deviceSession })).body,
        );
        const deviceAuths = await req("/current-identity/authenticators", { session: deviceSession });
        check(
          "GET /current-identity/authenticators (third-party cert)",
          "listAuthenticatorsEnvelope",
          deviceAuths.body,
        );
        expect((deviceAuths.body.data as Json[])[0]).toMatchObject({ method: "cert", isIssuedByNetwork: false });

        // /enroll/ottca: a pre-created identity, its token and a certificate of that CA; single use.
        const ottca = await admin("/enrollments", {
          name: `ottca-${u}`,
          kind: "service",
          method: "ottca",
          ca_id: ca.id,
        });
        const token = JSON.parse(Buffer.from((ottca.jwt as string).split(".")[1] ?? "", "base64url").toString()).jti;
        const stranger = await (await e2eCa(`E2E stranger ${u}`)).issue("stranger");
        const wrongChain = await edge("/enroll/ottca", { token }, stranger);
        expect(wrongChain.status).toBe(400);
        check("400 CERT_FAILED_VALIDATION", "apiErrorEnvelope", wrongChain.body);
        const pre = await thirdParty.issue(`pre-${u}`);
        const done = await edge("/enroll/ottca", { token }, pre);
        expect(done.status).toBe(200);
        check("POST /enroll/ottca", "empty", done.body);
        const reused = await edge("/enroll/ottca", { token }, await thirdParty.issue(`pre2-${u}`));
        expect(reused.status).toBe(410);
        check("410 reused ottca token", "apiErrorEnvelope", reused.body);
        const preLogin = await edge("/authenticate?method=cert", {}, pre);
        expect(preLogin.status).toBe(200);
        expect((preLogin.body.data as Json).identityId).toBe(ottca.identity_id);
      } finally {
        await proxy.close();
      }
      expect(problems).toEqual([]);
    },
  );
});
