import { CaEnrollmentRequest, OttEnrollmentRequest, UpdbEnrollmentRequest } from "@fleetgate/contract/ziti";
import * as svc from "@fleetgate/domain";
import { estCacertsBody, splitPemChain } from "@fleetgate/pki";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { validationError } from "../../../lib/http-errors";
import { EMPTY } from "../envelope";
import { ZitiEnroll, ZitiError } from "../errors";
import type * as r from "./enroll.routes";

const MAX_CSR = 16 * 1024;
const PEM_TYPES = ["application/x-pem-file", "application/pkcs10", "text/plain"];

// Enrollment answers are JSON with Content-Type exactly `application/json` (c.json's): the Go SDK
// parses JSON only when that single value matches (ziti-edge-client.md §7).

/** A JSON body read by hand (the legacy `/enroll` takes PEM or JSON), validated like the routed ones. */
async function parseJson<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ZitiError(400, "COULD_NOT_PARSE_BODY", "The body of the request could not be parsed");
  }
  const res = schema.safeParse(raw);
  if (!res.success) throw validationError(res.error, raw);
  return res.data;
}

async function ott(c: Context<AppEnv>, token: string, csr: string | undefined) {
  const ctx = await domain(c);
  const res = await svc.enrollOtt(ctx, token, csr);
  const ca = await svc.caBundlePem(ctx);
  return { data: { cert: `${res.certPem.trim()}\n${res.chain.issuing.certPem.trim()}\n`, ca }, meta: {} };
}

async function updb(c: Context<AppEnv>, token: string, body: z.infer<typeof UpdbEnrollmentRequest>) {
  const res = await svc.enrollUpdb(await domain(c), token, body);
  return { data: { username: res.username }, meta: {} };
}

/**
 * The client certificate presented through Cloudflare mTLS (`request.cf.tlsClientAuth`, set by the
 * edge, never by client headers) — the same source as `POST /authenticate?method=cert`.
 */
const tlsOf = (c: Context<AppEnv>) => (c.req.raw as { cf?: { tlsClientAuth?: svc.TlsClientAuth } }).cf?.tlsClientAuth;

async function ottca(c: Context<AppEnv>, token: string) {
  if (!token) throw ZitiEnroll.invalidToken();
  await svc.enrollWithOttCa(await domain(c), token, tlsOf(c));
  return EMPTY;
}

async function ca(c: Context<AppEnv>, name: string | undefined) {
  await svc.enrollWithCa(await domain(c), tlsOf(c), name);
  return EMPTY;
}

/** An optional JSON body (legacy `/enroll?method=ca`): empty or absent reads as `{}`. */
async function optionalJson<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  const text = await c.req.text();
  if (!text.trim()) return schema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ZitiError(400, "COULD_NOT_PARSE_BODY", "The body of the request could not be parsed");
  }
  const res = schema.safeParse(raw);
  if (!res.success) throw validationError(res.error, raw);
  return res.data;
}

export const enrollOttCa: RouteHandler<typeof r.enrollOttCa, AppEnv> = async (c) =>
  c.json(await ottca(c, c.req.valid("json").token), 200);

export const enrollCa: RouteHandler<typeof r.enrollCa, AppEnv> = async (c) => {
  // The body is optional: without a JSON content type the validator leaves nothing.
  const body = c.req.valid("json") as z.infer<typeof CaEnrollmentRequest> | undefined;
  return c.json(await ca(c, body?.name), 200);
};

export const enrollOtt: RouteHandler<typeof r.enrollOtt, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  return c.json(await ott(c, body.token, body.clientCsr), 200);
};

export const enrollUpdb: RouteHandler<typeof r.enrollUpdb, AppEnv> = async (c) => {
  const token = c.req.valid("query").token;
  if (!token) throw ZitiEnroll.invalidToken();
  return c.json(await updb(c, token, c.req.valid("json")), 200);
};

/** Legacy: POST /enroll?method=ott&token=… with a PEM CSR body (or JSON); `?method=updb` with a JSON body. */
export const enrollLegacy: RouteHandler<typeof r.enrollLegacy, AppEnv> = async (c) => {
  const { method, token = "" } = c.req.valid("query");
  if (method === "updb") return c.json(await updb(c, token, await parseJson(c, UpdbEnrollmentRequest)), 200);
  // What SDKs send for `em: ottca` / `em: ca`: an empty (or `{name}`) body over mTLS.
  if (method === "ottca") return c.json(await ottca(c, token), 200);
  if (method === "ca") return c.json(await ca(c, (await optionalJson(c, CaEnrollmentRequest)).name), 200);
  if (method !== "ott") throw ZitiEnroll.wrongMethod();
  const accept = c.req.header("accept");
  if (accept && !/application\/json|\*\/\*|application\/x-pem-file/i.test(accept)) {
    throw new ZitiError(415, "UNSUPPORTED_MEDIA", "The content type of the request is not supported");
  }
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    const body = await parseJson(c, OttEnrollmentRequest.partial({ token: true }));
    return c.json(await ott(c, body.token ?? token, body.clientCsr), 200);
  }
  if (type && !PEM_TYPES.includes(type))
    throw new ZitiError(415, "UNSUPPORTED_MEDIA", "The content type of the request is not supported");
  const pem = await c.req.text();
  if (pem.length > MAX_CSR) throw ZitiEnroll.missingCsr();
  return c.json(await ott(c, token, pem), 200);
};

export const enrollmentJwks: RouteHandler<typeof r.getEnrollmentJwks, AppEnv> = async (c) =>
  c.json(await svc.enrollmentJwks(await domain(c)), 200);

export const enrollmentChallenge: RouteHandler<typeof r.enrollmentChallenge, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  return c.json(await svc.signEnrollmentChallenge(await domain(c), body.keyId, body.nonce), 200);
};

export const networkJwts: RouteHandler<typeof r.listNetworkJwts, AppEnv> = async (c) =>
  c.json({ data: [{ name: "default", token: await svc.networkJwt(await domain(c)) }], meta: {} }, 200);

/** `GET /.well-known/est/cacerts`: base64 PKCS#7 certs-only bundle, 64-char lines, no trailing newline (RFC 7030 §4.1.3). */
export async function estCacerts(c: Context<AppEnv>): Promise<Response> {
  const chain = splitPemChain(await svc.caBundlePem(await domain(c)));
  return c.body(estCacertsBody(chain), 200, {
    "Content-Type": "application/pkcs7-mime",
    "Content-Transfer-Encoding": "base64",
  });
}
