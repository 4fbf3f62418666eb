import { setTimeout as delay } from "node:timers/promises";
import { decodeJwt } from "jose";
import { z } from "zod";
import { type CertInfo, parseCertificate } from "./cert";
import type { AgentConfig } from "./config";
import { AgentError, EXIT } from "./exit-codes";
import { collectHostInfo, type HostInfo } from "./host-info";
import { describeError, type HttpResponse, NetworkError, request } from "./http";
import { createCsr, generateKeyPair, importPrivateKey, privateKeyToPem, publicKeySpki } from "./keys";
import type { Logger } from "./log";
import { endpoint } from "./proof";
import { type Identity, StateDir } from "./state";

/** What an enrollment produced. */
export interface EnrollResult {
  identity: Identity;
  certificate: CertInfo;
}

/** RFC 5280 ub-common-name. */
const MAX_CN = 64;

const OttResponse = z.object({ data: z.object({ cert: z.string().min(1), ca: z.string() }) });
const EnrollAccepted = z.object({ polling_token: z.string().regex(/^[A-Za-z0-9]{16,128}$/) });
const EnrollStatus = z.discriminatedUnion("status", [
  z.object({ status: z.literal("pending") }),
  z.object({ status: z.literal("denied") }),
  z.object({ status: z.literal("notfound") }),
  z.object({
    status: z.literal("approved"),
    ca_crt: z.string(),
    ca_chain: z.string().default(""),
    client_crt: z.string().min(1),
    crl_pem: z.string().optional(),
  }),
]);

async function openState(config: AgentConfig, force: boolean): Promise<StateDir> {
  const state = new StateDir(config.stateDir);
  await state.prepare();
  if (!force && (await state.isEnrolled())) {
    throw new AgentError(EXIT.refused, `already enrolled (${config.stateDir}); pass --force to enroll again`);
  }
  return state;
}

function certificateFor(certPem: string, spki: Buffer): CertInfo {
  let cert: CertInfo;
  try {
    cert = parseCertificate(certPem);
  } catch {
    throw new AgentError(EXIT.failure, "the server returned an unreadable certificate");
  }
  if (!cert.spki.equals(spki)) throw new AgentError(EXIT.failure, "the server returned a certificate for another key");
  return cert;
}

/** 4xx answers are refusals (exit 4); 5xx and 429 are "try again later" (exit 5). */
function failure(what: string, response: HttpResponse): AgentError {
  const retryable = response.status >= 500 || response.status === 429;
  return new AgentError(retryable ? EXIT.unavailable : EXIT.refused, `${what}: ${describeError(response)}`);
}

async function call(url: string, init: Parameters<typeof request>[1]): Promise<HttpResponse> {
  try {
    return await request(url, init);
  } catch (error) {
    if (error instanceof NetworkError) throw new AgentError(EXIT.unavailable, error.message);
    throw error;
  }
}

/**
 * OpenZiti one-time-token enrollment: generate a P-256 key here, send a CSR with
 * `CN=<sub>` and the token, store key (0600) + certificate. The token is decoded without
 * verification (the server verifies it); we only refuse obviously unusable ones early.
 */
export async function enrollWithToken(
  config: AgentConfig,
  token: string,
  options: { logger: Logger; force?: boolean; now?: number },
): Promise<EnrollResult> {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token.trim());
  } catch {
    throw new AgentError(EXIT.usage, "the enrollment token is not a JWT");
  }
  if (claims.em !== "ott") throw new AgentError(EXIT.usage, "the token is not a one-time-token (ott) enrollment token");
  const sub = claims.sub;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > MAX_CN) {
    throw new AgentError(EXIT.usage, "the enrollment token has no usable subject (sub)");
  }
  const now = options.now ?? Date.now();
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= now) {
    throw new AgentError(EXIT.refused, "the enrollment token has expired; ask for a new one");
  }
  const state = await openState(config, options.force ?? false);

  const keys = await generateKeyPair();
  const csr = await createCsr(keys, sub);
  options.logger.info("enrolling with one-time token", { identity_id: sub, server: config.server });
  const response = await call(endpoint(config.server, "/edge/client/v1/enroll/ott"), {
    method: "POST",
    body: { token: token.trim(), clientCsr: csr },
  });
  if (response.status !== 200) throw failure("enrollment refused", response);
  const parsed = OttResponse.safeParse(response.json);
  if (!parsed.success) throw new AgentError(EXIT.failure, "the server's enrollment answer is not the expected JSON");

  const certificate = certificateFor(parsed.data.data.cert, await publicKeySpki(keys.publicKey));
  await state.installCredentials({
    keyPem: await privateKeyToPem(keys.privateKey),
    certPem: parsed.data.data.cert,
    caPem: parsed.data.data.ca,
  });
  const identity: Identity = {
    identity_id: sub,
    server: config.server,
    method: "ott",
    enrolled_at: new Date(now).toISOString(),
  };
  await state.writeIdentity(identity);
  await state.clearPending();
  options.logger.info("enrolled", { identity_id: sub, fingerprint: certificate.fingerprintSha256 });
  return { identity, certificate };
}

/** Options of the self-enrollment flow. */
export interface RequestOptions {
  logger: Logger;
  force?: boolean;
  pollIntervalSeconds: number;
  maxAttempts: number;
  hostInfo?: HostInfo;
  /** Injected in tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

function retryAfterMs(response: HttpResponse, fallbackMs: number): number {
  const value = Number(response.headers.get("retry-after"));
  return Number.isFinite(value) && value > 0 && value <= 3600 ? value * 1000 : fallbackMs;
}

/**
 * Self-enrollment (Linux Patch Manager style): file a request with a CSR (`CN=<hostname>`),
 * then poll until an admin approves or denies it. The key and polling token are persisted
 * first, so running the command again resumes polling instead of filing a second request.
 */
export async function enrollWithRequest(config: AgentConfig, options: RequestOptions): Promise<EnrollResult> {
  const { logger } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const intervalMs = options.pollIntervalSeconds * 1000;
  const state = await openState(config, options.force ?? false);
  let attempts = 0;

  let pending = await state.readPending();
  if (pending && pending.pending.server !== config.server) {
    await state.clearPending();
    pending = null;
  }
  if (pending) {
    logger.info("resuming pending enrollment request", { server: config.server });
  } else {
    const host = options.hostInfo ?? (await collectHostInfo());
    if (host.hostname.length > MAX_CN) throw new AgentError(EXIT.usage, "the hostname is longer than 64 characters");
    const keys = await generateKeyPair();
    const keyPem = await privateKeyToPem(keys.privateKey);
    const body = {
      machine_id: host.machineId,
      fqdn: host.fqdn,
      ip_address: host.ipAddress,
      os_details: {
        os: host.os.family,
        name: host.os.name,
        version: host.os.version,
        ...(host.os.codename ? { codename: host.os.codename } : {}),
        architecture: host.os.arch,
      },
      hostname: host.hostname,
      csr: await createCsr(keys, host.hostname),
    };
    let token: string | null = null;
    while (token === null) {
      attempts++;
      const response = await call(endpoint(config.server, "/api/v1/enroll"), { method: "POST", body });
      if (response.status === 202 || response.status === 200) {
        const accepted = EnrollAccepted.safeParse(response.json);
        if (!accepted.success)
          throw new AgentError(EXIT.failure, "the server's enrollment answer has no polling token");
        token = accepted.data.polling_token;
      } else if (response.status === 429 && attempts < options.maxAttempts) {
        logger.warn("enrollment request rate limited; backing off", { attempt: attempts });
        await sleep(retryAfterMs(response, intervalMs));
      } else if (response.status === 409) {
        throw new AgentError(EXIT.refused, "this host is already registered with the server");
      } else {
        throw failure("enrollment request refused", response);
      }
    }
    pending = {
      pending: {
        server: config.server,
        polling_token: token,
        common_name: host.hostname,
        requested_at: new Date().toISOString(),
      },
      keyPem,
    };
    await state.writePending(pending.pending, keyPem);
    logger.info("enrollment requested; waiting for approval", { hostname: host.hostname });
  }

  const statusUrl = endpoint(
    config.server,
    `/api/v1/enroll/status/${encodeURIComponent(pending.pending.polling_token)}`,
  );
  for (let poll = 1; poll <= options.maxAttempts; poll++) {
    if (poll > 1) await sleep(intervalMs);
    let response: HttpResponse;
    try {
      response = await request(statusUrl, { method: "GET" });
    } catch (error) {
      logger.warn("enrollment status poll failed", { attempt: poll, error });
      continue;
    }
    if (response.status === 429 || response.status >= 500) {
      logger.warn("enrollment status not available", { attempt: poll, status: response.status });
      continue;
    }
    if (response.status !== 200) throw failure("enrollment status refused", response);
    const status = EnrollStatus.safeParse(response.json);
    if (!status.success) throw new AgentError(EXIT.failure, "the server's enrollment status is not the expected JSON");
    const s = status.data;
    if (s.status === "pending") {
      logger.info("enrollment pending", { attempt: poll });
      continue;
    }
    if (s.status === "denied" || s.status === "notfound") {
      await state.clearPending();
      throw new AgentError(
        EXIT.refused,
        s.status === "denied"
          ? "the enrollment request was denied"
          : "the enrollment request is unknown or expired; file a new one",
      );
    }
    const { spki } = await importPrivateKey(pending.keyPem);
    const certificate = certificateFor(s.client_crt, spki);
    await state.installCredentials({
      keyPem: pending.keyPem,
      certPem: s.client_crt,
      caPem: s.ca_chain.trim() ? s.ca_chain : s.ca_crt,
    });
    const identity: Identity = {
      identity_id: null,
      server: config.server,
      method: "request",
      enrolled_at: new Date().toISOString(),
    };
    await state.writeIdentity(identity);
    await state.clearPending();
    logger.info("enrollment approved", { fingerprint: certificate.fingerprintSha256 });
    return { identity, certificate };
  }
  throw new AgentError(
    EXIT.unavailable,
    `enrollment still pending after ${options.maxAttempts} polls; run the same command again to keep waiting`,
  );
}
