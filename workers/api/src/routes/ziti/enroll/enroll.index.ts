import * as svc from "@fleetgate/domain";
import { estCacertsBody, splitPemChain } from "@fleetgate/pki";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { ZitiEnroll, ZitiError } from "../errors";

const MAX_CSR = 16 * 1024;
const OttBody = z.object({ token: z.string().min(1).max(4096), clientCsr: z.string().max(MAX_CSR).optional() });
const UpdbBody = z.object({ username: z.string().min(4).max(100).optional(), password: z.string().min(5).max(100) });
const ChallengeBody = z.object({ keyId: z.string().min(1).max(200), nonce: z.uuid() });
const PEM_TYPES = ["application/x-pem-file", "application/pkcs10", "text/plain"];

const badDocument = (field: string, reason: string) =>
  new ZitiError(
    400,
    "COULD_NOT_VALIDATE",
    "The supplied request contains an invalid document",
    { field, reason, value: null },
    `${field}: ${reason}`,
  );

/**
 * Enrollment answers are JSON with Content-Type exactly `application/json`:
 * the Go SDK parses JSON only when that single value matches (ziti-edge-client.md §7).
 */
function exactJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

async function parseJson<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ZitiError(400, "COULD_NOT_PARSE_BODY", "The body of the request could not be parsed");
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw badDocument(issue?.path.join(".") || "(root)", issue?.message ?? "invalid");
  }
  return res.data;
}

async function ott(c: Context<AppEnv>, token: string, csr: string | undefined) {
  const ctx = await domain(c);
  const res = await svc.enrollOtt(ctx, token, csr);
  const ca = await svc.caBundlePem(ctx);
  return exactJson({
    data: { cert: `${res.certificate.certPem.trim()}\n${res.chain.issuing.certPem.trim()}\n`, ca },
    meta: {},
  });
}

async function updb(c: Context<AppEnv>, token: string) {
  const body = await parseJson(c, UpdbBody);
  const res = await svc.enrollUpdb(await domain(c), token, body);
  return exactJson({ data: { username: res.username }, meta: {} });
}

/** `/enroll/*`, `/.well-known/est/cacerts`, `/network-jwts` on the Ziti face. */
export const enrollRouter = createRouter()
  .post("/enroll/ott", async (c) => {
    const body = await parseJson(c, OttBody);
    return ott(c, body.token, body.clientCsr);
  })
  .post("/enroll/updb", async (c) => {
    const token = c.req.query("token");
    if (!token) throw ZitiEnroll.invalidToken();
    return updb(c, token);
  })
  // Legacy: POST /enroll?method=ott&token=… with a PEM CSR body (or JSON).
  .post("/enroll", async (c) => {
    const method = c.req.query("method");
    const token = c.req.query("token") ?? "";
    if (method === "updb") return updb(c, token);
    if (method !== "ott") throw ZitiEnroll.wrongMethod();
    const accept = c.req.header("accept");
    if (accept && !/application\/json|\*\/\*|application\/x-pem-file/i.test(accept)) {
      throw new ZitiError(415, "UNSUPPORTED_MEDIA", "The content type of the request is not supported");
    }
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (type === "application/json") {
      const body = await parseJson(c, OttBody.partial({ token: true }));
      return ott(c, body.token ?? token, body.clientCsr);
    }
    if (type && !PEM_TYPES.includes(type))
      throw new ZitiError(415, "UNSUPPORTED_MEDIA", "The content type of the request is not supported");
    const pem = await c.req.text();
    if (pem.length > MAX_CSR) throw ZitiEnroll.missingCsr();
    return ott(c, token, pem);
  })
  .get("/enroll/jwks", async (c) => c.json(await svc.enrollmentJwks(await domain(c))))
  .post("/enroll/challenge", async (c) => {
    const body = await parseJson(c, ChallengeBody);
    return c.json(await svc.signEnrollmentChallenge(await domain(c), body.keyId, body.nonce));
  })
  .get("/network-jwts", async (c) =>
    c.json({ data: [{ name: "default", token: await svc.networkJwt(await domain(c)) }], meta: {} }),
  );

/** `GET /.well-known/est/cacerts`: base64 PKCS#7 certs-only bundle, 64-char lines, no trailing newline (RFC 7030 §4.1.3). */
export async function estCacerts(c: Context<AppEnv>): Promise<Response> {
  const chain = splitPemChain(await svc.caBundlePem(await domain(c)));
  return c.body(estCacertsBody(chain), 200, {
    "Content-Type": "application/pkcs7-mime",
    "Content-Transfer-Encoding": "base64",
  });
}

export const cacertsRouter = createRouter().get("/.well-known/est/cacerts", estCacerts);
