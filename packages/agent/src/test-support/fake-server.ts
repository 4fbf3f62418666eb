import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import {
  AgentMessage,
  PROOF_MAX_LIFETIME_SECONDS,
  PROOF_TYP,
  ProofClaims,
  type ServerMessage,
} from "@fleetgate/contract/agent";
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { type WebSocket, WebSocketServer } from "ws";
import type { x509 } from "../x509";
import { TestCa } from "./test-ca";

/** A frame the fake server received, with the number of the connection it came on. */
export interface Received {
  connection: number;
  frame: AgentMessage;
}

interface IssuedCert {
  cert: x509.X509Certificate;
  commonName: string;
  revoked: boolean;
}

type EnrollDecision = "pending" | "approved" | "denied";

interface EnrollRequest {
  body: Record<string, unknown>;
  csr: x509.Pkcs10CertificateRequest;
  polls: number;
  retrieved: boolean;
}

/** Waits until `check` returns a value other than undefined/false, polling every 10 ms. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A stand-in for the control plane on 127.0.0.1: the enrollment endpoints (signing CSRs
 * with a TestCa), the renew endpoint, /health, and the agent WebSocket, which checks the
 * connect proof as the real server must (signature with the certificate's key, x5t#S256,
 * aud, lifetime ≤ 60 s, single-use jti) and records every frame after parsing it.
 */
export class FakeServer {
  readonly received: Received[] = [];
  readonly refusals: { status: number; reason: string }[] = [];
  readonly issued = new Map<string, IssuedCert>();
  readonly enrollRequests = new Map<string, EnrollRequest>();
  readonly seenJti = new Set<string>();
  readonly renewals: string[] = [];
  connections = 0;
  /** Decides each enrollment status poll. */
  enrollDecision: (polls: number) => EnrollDecision = () => "approved";
  /** The next N POST /api/v1/enroll answer 429. */
  rateLimitEnrollments = 0;
  /** Validity of certificates issued from now on. */
  validity: { notBefore?: Date; notAfter?: Date } = {};
  /** Send `welcome` after `hello` (off to test hello re-sends). */
  autoWelcome = true;
  /** When set, every WebSocket upgrade is refused with this HTTP status. */
  refuseAllWith: number | null = null;

  private http: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private current: WebSocket | null = null;
  private currentSocket: Duplex | null = null;
  private readonly tokenKey = randomBytes(32);
  private readonly tokens = new Map<string, { sub: string; used: boolean }>();
  port = 0;

  private constructor(readonly ca: TestCa) {}

  static async start(ca?: TestCa): Promise<FakeServer> {
    const server = new FakeServer(ca ?? (await TestCa.create()));
    await server.listen(0);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A one-time enrollment JWT as the control plane issues them (`em: "ott"`). */
  async ottToken(sub: string, options: { expiresInSeconds?: number; em?: string } = {}): Promise<string> {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ em: options.em ?? "ott" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setJti(jti)
      .setIssuer(this.url)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 600))
      .sign(this.tokenKey);
    this.tokens.set(token, { sub, used: false });
    return token;
  }

  /** Frames of one type, in arrival order. */
  framesOf<T extends AgentMessage["type"]>(type: T): Extract<AgentMessage, { type: T }>[] {
    return this.received.map((r) => r.frame).filter((f): f is Extract<AgentMessage, { type: T }> => f.type === type);
  }

  /** Waits for a frame matching `predicate`. */
  waitForFrame<T extends AgentMessage["type"]>(
    type: T,
    predicate: (frame: Extract<AgentMessage, { type: T }>) => boolean = () => true,
    what: string = type,
  ): Promise<Extract<AgentMessage, { type: T }>> {
    return waitFor(() => this.framesOf(type).find(predicate), what);
  }

  /** Waits until an agent has an open connection that said hello (the n-th connection, if given). */
  async waitForAgent(connection?: number): Promise<void> {
    await waitFor(
      () =>
        this.current !== null &&
        this.received.some((r) => r.frame.type === "hello" && (connection === undefined || r.connection >= connection)),
      "agent hello",
    );
  }

  /** Sends a server frame to the agent on the current connection. */
  send(frame: ServerMessage): void {
    if (!this.current) throw new Error("no agent connected");
    this.current.send(JSON.stringify(frame));
  }

  sendRaw(text: string): void {
    if (!this.current) throw new Error("no agent connected");
    this.current.send(text);
  }

  /** Stops reading the current connection: pings go unanswered, as on a half-open TCP connection. */
  freeze(): void {
    this.currentSocket?.pause();
  }

  revoke(commonName: string): void {
    for (const entry of this.issued.values()) if (entry.commonName === commonName) entry.revoked = true;
  }

  /** Stops listening and drops every connection (a server crash, as seen from the agent). */
  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.current = null;
    const http = this.http;
    this.http = null;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  /** Comes back on the same port with the same registry (certificates, seen jtis). */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen(this.port);
  }

  /** Listens again on the same port after `stop()`. */
  async resume(): Promise<void> {
    if (!this.http) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
    this.wss.close();
  }

  private async listen(port: number): Promise<void> {
    const http = createServer((req, res) => {
      this.route(req, res).catch((error: Error) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "UNHANDLED", message: error.message } }));
      });
    });
    http.on("upgrade", (req, socket, head) => void this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
  }

  // ---- proof ------------------------------------------------------------

  /** Returns the certificate the proof is bound to, or a refusal reason. */
  async checkProof(authorization: string | undefined, audience: string): Promise<IssuedCert | string> {
    const match = /^Bearer (.+)$/.exec(authorization ?? "");
    if (!match?.[1]) return "no bearer proof";
    const proof = match[1];
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      return "malformed proof";
    }
    if (header.alg !== "ES256" || header.typ !== PROOF_TYP) return "wrong alg/typ";
    const thumb = header["x5t#S256"];
    const issued = typeof thumb === "string" ? this.issued.get(thumb) : undefined;
    if (!issued) return "unknown certificate";
    if (issued.revoked) return "revoked certificate";
    if (issued.cert.notAfter.getTime() <= Date.now()) return "expired certificate";
    try {
      const key = await issued.cert.publicKey.export();
      const { payload } = await jwtVerify(proof, key, { audience, typ: PROOF_TYP, algorithms: ["ES256"] });
      const claims = ProofClaims.parse(payload);
      if (claims.exp - claims.iat > PROOF_MAX_LIFETIME_SECONDS) return "proof lives too long";
      if (this.seenJti.has(claims.jti)) return "replayed proof";
      this.seenJti.add(claims.jti);
    } catch (error) {
      return `bad proof: ${(error as Error).message}`;
    }
    return issued;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, reason: string) => {
      this.refusals.push({ status, reason });
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Forbidden"}\r\nContent-Length: 0\r\n\r\n`);
    };
    if (req.url !== "/agent/v1/connect") return refuse(403, "wrong path");
    if (this.refuseAllWith !== null) return refuse(this.refuseAllWith, "refusing all");
    const checked = await this.checkProof(req.headers.authorization, `${this.url}/agent/v1/connect`);
    if (typeof checked === "string") return refuse(401, checked);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = ++this.connections;
      this.current = ws;
      this.currentSocket = socket;
      ws.on("message", (data) => {
        // Every frame is parsed with the contract, as the real server does.
        const frame = AgentMessage.parse(JSON.parse(data.toString()));
        this.received.push({ connection, frame });
        if (frame.type === "hello" && this.autoWelcome) {
          ws.send(
            JSON.stringify({
              type: "welcome",
              host_id: `host-${checked.commonName}`,
              host_name: checked.commonName,
              server_time: Date.now(),
              inventory_hash: null,
            } satisfies ServerMessage),
          );
        }
      });
      ws.on("close", () => {
        if (this.current === ws) this.current = null;
      });
    });
  }

  // ---- HTTP -------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? "/";
    if (req.method === "GET" && url === "/health") return json(200, { ok: true });
    if (req.method === "POST" && url === "/edge/client/v1/enroll/ott") return this.enrollOtt(await readJson(req), json);
    if (req.method === "POST" && url === "/api/v1/enroll") return this.enrollRequest(await readJson(req), json);
    const status = /^\/api\/v1\/enroll\/status\/([A-Za-z0-9]+)$/.exec(url);
    if (req.method === "GET" && status?.[1]) return this.enrollStatus(status[1], json);
    if (req.method === "POST" && url === "/agent/v1/renew") {
      return this.renew(req.headers.authorization, await readJson(req), json);
    }
    json(404, { error: { code: "NOT_FOUND", message: "not found" } });
  }

  private async record(csr: x509.Pkcs10CertificateRequest, commonName: string): Promise<x509.X509Certificate> {
    const cert = await this.ca.issue(csr, commonName, this.validity);
    const thumb = createHash("sha256").update(new Uint8Array(cert.rawData)).digest("base64url");
    this.issued.set(thumb, { cert, commonName, revoked: false });
    return cert;
  }

  private async enrollOtt(body: unknown, json: (s: number, b: unknown) => void): Promise<void> {
    const { token, clientCsr } = (body ?? {}) as { token?: unknown; clientCsr?: unknown };
    const known = typeof token === "string" ? this.tokens.get(token) : undefined;
    if (!known) return json(400, { error: { code: "INVALID_ENROLLMENT_TOKEN", message: "invalid token" } });
    if (known.used) return json(409, { error: { code: "ENROLLMENT_ALREADY_COMPLETE", message: "already enrolled" } });
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = await this.ca.parseCsr(String(clientCsr));
    } catch {
      return json(400, { error: { code: "COULD_NOT_PROCESS_CSR", message: "bad csr" } });
    }
    if (csr.subjectName.getField("CN")[0] !== known.sub) {
      return json(400, { error: { code: "COULD_NOT_PROCESS_CSR", message: "CN must be the identity id" } });
    }
    known.used = true;
    const cert = await this.record(csr, known.sub);
    json(200, { data: { cert: cert.toString("pem"), ca: this.ca.certPem }, meta: {} });
  }

  private async enrollRequest(body: unknown, json: (s: number, b: unknown) => void): Promise<void> {
    if (this.rateLimitEnrollments > 0) {
      this.rateLimitEnrollments--;
      return json(429, { error: "rate limited" });
    }
    const b = (body ?? {}) as Record<string, unknown>;
    for (const key of ["machine_id", "fqdn", "ip_address", "os_details", "hostname", "csr"]) {
      if (!(key in b)) return json(400, { error: `missing ${key}` });
    }
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = await this.ca.parseCsr(String(b.csr));
    } catch {
      return json(400, { error: "bad csr" });
    }
    if (csr.subjectName.getField("CN")[0] !== b.hostname) return json(400, { error: "CN must be the hostname" });
    const token = randomBytes(48)
      .toString("base64")
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 64)
      .padEnd(64, "a");
    this.enrollRequests.set(token, { body: b, csr, polls: 0, retrieved: false });
    json(202, { polling_token: token });
  }

  private async enrollStatus(token: string, json: (s: number, b: unknown) => void): Promise<void> {
    const request = this.enrollRequests.get(token);
    if (!request || request.retrieved) return json(200, { status: "notfound" });
    request.polls++;
    const decision = this.enrollDecision(request.polls);
    if (decision !== "approved") return json(200, { status: decision });
    request.retrieved = true; // single retrieval, like the reference
    const cert = await this.record(request.csr, String(request.body.hostname));
    json(200, {
      status: "approved",
      ca_crt: this.ca.certPem,
      ca_chain: this.ca.certPem,
      client_crt: cert.toString("pem"),
      crl_pem: "",
    });
  }

  private async renew(authorization: string | undefined, body: unknown, json: (s: number, b: unknown) => void) {
    const checked = await this.checkProof(authorization, `${this.url}/agent/v1/renew`);
    if (typeof checked === "string") return json(401, { error: { code: "UNAUTHORIZED", message: checked } });
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = await this.ca.parseCsr(String((body as { csr?: unknown } | null)?.csr));
    } catch {
      return json(400, { error: { code: "COULD_NOT_PROCESS_CSR", message: "bad csr" } });
    }
    if (csr.subjectName.getField("CN")[0] !== checked.commonName) {
      return json(400, { error: { code: "COULD_NOT_PROCESS_CSR", message: "CN must not change" } });
    }
    const cert = await this.record(csr, checked.commonName);
    this.renewals.push(checked.commonName);
    json(200, { cert: cert.toString("pem"), ca: this.ca.certPem });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}
