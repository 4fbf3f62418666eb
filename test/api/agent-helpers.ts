import { env } from "cloudflare:workers";
import type { AgentCrlReport, AgentMessage, ServerMessage } from "@fleetgate/contract";
import { ServerMessage as ServerMessageSchema } from "@fleetgate/contract";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { agentProof, createEnrollment, enrollOtt } from "./pki-helpers";

/**
 * A simulated agent inside workerd: enrolls through the real enrollment API,
 * connects with a real certificate-bound proof, and speaks the real protocol
 * (docs/agent-protocol.md) — including its never-twice rule: a duplicate `run`
 * gets `ack duplicate` and the stored result, never a second execution.
 */

export interface EnrolledHost {
  id: string;
  name: string;
  certPem: string;
  keys: CryptoKeyPair;
}

/** Enrolls a host with a one-time token; its host row id is the identity id. */
export async function enrollHost(name = `h-${crypto.randomUUID().slice(0, 8)}`): Promise<EnrolledHost> {
  const e = await createEnrollment(name);
  const { res, keys } = await enrollOtt(e);
  if (res.status !== 200) throw new Error(`enroll ${name}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: { cert: string } };
  const certPem = body.data.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? "";
  return { id: e.identity_id, name, certPem, keys };
}

type Run = Extract<ServerMessage, { type: "run" }>;
type ResultFrame = Extract<AgentMessage, { type: "result" }>;

/** What a simulated script does: its result (the agent adds command id and times). */
export type Script = (run: Run) => Partial<Omit<ResultFrame, "type" | "command_id">> | "hang";

export interface AgentOptions {
  scripts?: Record<string, Script>;
  tags?: Record<string, string>;
  hostname?: string;
  version?: string;
  /** Answer pings (default true). */
  pong?: boolean;
  /** Send `hello` on open (default true). */
  hello?: boolean;
  /** The CRL report in the hello (absent: an agent too old to report one). */
  crl?: AgentCrlReport;
  /** The boot the agent reports in its hello (boot id, kernel, booted_at). */
  boot?: Extract<AgentMessage, { type: "hello" }>["boot"];
}

/** Echo: stdout is the argv, one per line (proves arguments arrive as literal argv). */
export const echo: Script = (run) => ({ exit_code: 0, stdout: run.args.map((a) => `${a}\n`).join(""), stderr: "" });

export class SimAgent {
  readonly frames: ServerMessage[] = [];
  readonly runs: Run[] = [];
  /** Command ids this agent executed (each at most once). */
  readonly executed: string[] = [];
  private readonly results = new Map<string, ResultFrame>();
  private readonly hung = new Map<string, Run>();
  private listeners: (() => void)[] = [];
  closed = false;

  constructor(
    readonly host: EnrolledHost,
    readonly ws: WebSocket,
    readonly opts: AgentOptions,
  ) {
    ws.addEventListener("message", (ev) => this.onMessage(String(ev.data)));
    ws.addEventListener("close", () => {
      this.closed = true;
      this.notify();
    });
  }

  send(frame: AgentMessage): void {
    this.ws.send(JSON.stringify(frame));
  }

  hello(completed: string[] = []): void {
    this.send({
      type: "hello",
      protocol: 1,
      agent_version: this.opts.version ?? "0.1.0-sim",
      hostname: this.opts.hostname ?? this.host.name,
      os: { family: "debian", name: "Debian GNU/Linux 12 (bookworm)", version: "12", arch: "x86_64" },
      tags: this.opts.tags ?? {},
      scripts: Object.keys(this.opts.scripts ?? {}).map((name) => ({
        name,
        path: `/opt/scripts/${name}.sh`,
        description: "",
        executable: true,
        sha256: "",
      })),
      completed,
      ...(this.opts.crl ? { crl: this.opts.crl } : {}),
      ...(this.opts.boot ? { boot: this.opts.boot } : {}),
    });
  }

  /** Resolves with the first received frame (past or future) matching `pred`. */
  async waitFor<T extends ServerMessage>(pred: (f: ServerMessage) => f is T, timeoutMs?: number): Promise<T>;
  async waitFor(pred: (f: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  async waitFor(pred: (f: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        this.listeners.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Finishes a command left hanging by a `"hang"` script. */
  finish(commandId: string, result: Partial<Omit<ResultFrame, "type" | "command_id">>): void {
    const run = this.hung.get(commandId);
    if (!run) throw new Error(`not hanging: ${commandId}`);
    this.hung.delete(commandId);
    this.complete(run, result);
  }

  /** Streams a chunk of output for a hanging command. */
  output(commandId: string, stream: "stdout" | "stderr", seq: number, data: string): void {
    this.send({ type: "output", command_id: commandId, stream, seq, data });
  }

  close(code = 1000): void {
    try {
      this.ws.close(code, "bye");
    } catch {
      // Already closed.
    }
  }

  private notify(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  private onMessage(text: string): void {
    const frame = ServerMessageSchema.parse(JSON.parse(text));
    this.frames.push(frame);
    this.notify();
    if (frame.type === "ping" && this.opts.pong !== false) {
      this.send({ type: "pong", nonce: frame.nonce, version: this.opts.version ?? "0.1.0-sim" });
    }
    if (frame.type === "run") this.onRun(frame);
    if (frame.type === "cancel") {
      const run = this.hung.get(frame.command_id);
      if (run) {
        this.hung.delete(frame.command_id);
        this.complete(run, { exit_code: null, error: "cancelled", stdout: "", stderr: "" });
      }
    }
  }

  private onRun(run: Run): void {
    this.runs.push(run);
    const known = this.results.get(run.command_id) ?? (this.hung.has(run.command_id) ? "running" : undefined);
    if (known) {
      // Never twice: a duplicate delivery gets `ack duplicate` (+ the stored result).
      this.send({ type: "ack", command_id: run.command_id, duplicate: true });
      if (known !== "running") this.send(known);
      return;
    }
    if (run.expires_at <= Date.now()) {
      this.send({ type: "ack", command_id: run.command_id, duplicate: false });
      this.complete(run, { exit_code: null, error: "expired", stdout: "", stderr: "" }, false);
      return;
    }
    const script = this.opts.scripts?.[run.script];
    this.send({ type: "ack", command_id: run.command_id, duplicate: false });
    if (!script) {
      this.complete(run, { exit_code: null, error: "not_allowlisted", stdout: "", stderr: "" }, false);
      return;
    }
    this.executed.push(run.command_id);
    const outcome = script(run);
    if (outcome === "hang") {
      this.hung.set(run.command_id, run);
      return;
    }
    this.complete(run, outcome);
  }

  private complete(run: Run, r: Partial<Omit<ResultFrame, "type" | "command_id">>, started = true): void {
    const now = Date.now();
    const result: ResultFrame = {
      type: "result",
      command_id: run.command_id,
      exit_code: r.exit_code ?? null,
      error: r.error ?? null,
      stdout: r.stdout ?? "",
      stderr: r.stderr ?? "",
      truncated: r.truncated ?? false,
      started_at: started ? (r.started_at ?? now) : null,
      finished_at: r.finished_at ?? now,
    };
    this.results.set(run.command_id, result);
    if (!this.closed) this.send(result);
  }
}

/** Opens the agent WebSocket with a fresh proof; resolves once the server said `welcome` (when hello is on). */
export async function connectAgent(host: EnrolledHost, opts: AgentOptions = {}): Promise<SimAgent> {
  const proof = await agentProof(host, "http://127.0.0.1/agent/v1/connect");
  const res = await call("/agent/v1/connect", { headers: { Upgrade: "websocket", authorization: `Bearer ${proof}` } });
  if (res.status !== 101 || !res.webSocket) throw new Error(`connect ${host.name}: ${res.status} ${await res.text()}`);
  const ws = res.webSocket;
  ws.accept();
  const agent = new SimAgent(host, ws, opts);
  if (opts.hello !== false) {
    agent.hello();
    await agent.waitFor((f) => f.type === "welcome");
  }
  return agent;
}

/** An admin API token (`ztlu_…`) for the ctrl-exec face. */
export async function adminToken(): Promise<string> {
  const res = await call("/api/v1/tokens", {
    method: "POST",
    headers: bearer(await adminLogin()),
    json: { name: `exec-${crypto.randomUUID().slice(0, 6)}` },
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

/** An API token for a fresh user with `role`. */
export async function tokenFor(session: { access: string }): Promise<string> {
  const res = await call("/api/v1/tokens", {
    method: "POST",
    headers: bearer(session.access),
    json: { name: `exec-${crypto.randomUUID().slice(0, 6)}` },
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

/** The JobRun / HostChannel stubs of a job or host. */
export const jobStub = (jobId: string) => env.JOBS.get(env.JOBS.idFromName(jobId));
export const channelStub = (hostId: string) => env.HOSTS.get(env.HOSTS.idFromName(hostId));

/** Polls `fn` until it returns a truthy value (for state that arrives over sockets, not alarms). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** POST a ctrl-exec body. */
export const execPost = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
