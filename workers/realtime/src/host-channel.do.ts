import { DurableObject } from "cloudflare:workers";
import {
  AgentMessage,
  type EnqueueOutcome,
  HostCommand,
  HostReport,
  type OutputChunk,
  type ServerMessage,
} from "@fleetgate/contract";
import { createDb, logAt, recordAgentHello, recordAgentPresence } from "@fleetgate/domain";
import { z } from "zod";
import { EventPublisher } from "./publisher";

/** What survives hibernation with each agent socket (≤ 2 KiB). */
interface Attachment {
  hostId: string;
  hostName: string;
  certNotAfter: number;
  connectedAt: number;
  hello: boolean;
  version?: string;
  hostname?: string;
}

type CommandState = "queued" | "sent" | "acked" | "done" | "cancelled" | "expired";

interface CommandRow extends Record<string, SqlStorageValue> {
  command_id: string;
  job_id: string;
  host_id: string;
  reqid: string;
  script: string;
  args: string;
  timeout_seconds: number;
  expires_at: number;
  state: CommandState;
  updated_at: number;
}

export interface PingOutcome {
  ok: boolean;
  rtt_ms: number;
  error?: string;
  version?: string;
  hostname?: string;
  cert_not_after?: number;
}

export interface ChannelStatus {
  online: boolean;
  connected_at: number | null;
  agent_version: string | null;
  reported_hostname: string | null;
  commands: Record<string, number>;
  outbox: number;
}

const LIVENESS_MS = 5 * 60_000;
const OUTBOX_RETRY_MS = 2_000;
const RETENTION_MS = 24 * 3_600_000;
const PingTimeout = z.number().int().min(1).max(600_000);
const Reason = z.string().max(120);

/**
 * One per enrolled host (`idFromName(hostId)`): holds the agent's WebSocket
 * with the hibernation API, the host's durable command queue, and forwards
 * what the agent reports to each command's JobRun through a durable outbox.
 *
 * Storage (this object's SQLite):
 *  - `commands`: every command for this host until 24 h after it ended; the
 *    command id is the job_hosts row id, so a re-enqueue is idempotent;
 *  - `outbox`: reports (ack / result / expired) not yet accepted by their
 *    JobRun, retried in order by the alarm — a result is never lost even if
 *    this object or the JobRun is reset in between;
 *  - `meta`: host id and whether D1 last recorded it online.
 * Timing is alarms only: queued-command expiry, outbox retries, ping
 * deadlines, a liveness tick while connected, and retention.
 */
export class HostChannel extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly publisher: EventPublisher;
  private readonly pings = new Map<
    string,
    { sentAt: number; deadline: number; timeoutS: number; resolve: (p: PingOutcome) => void }
  >();
  private draining: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.publisher = new EventPublisher(env);
    ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.sql.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS commands (
          command_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, host_id TEXT NOT NULL, reqid TEXT NOT NULL,
          script TEXT NOT NULL, args TEXT NOT NULL, timeout_seconds INTEGER NOT NULL, expires_at INTEGER NOT NULL,
          state TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS commands_state ON commands (state, expires_at);
        CREATE TABLE IF NOT EXISTS outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, payload TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL);
      `);
  }

  // ---- connection ------------------------------------------------------

  /** The agent's upgrade, forwarded by `GET /agent/v1/connect` after the proof was verified. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const hostId = request.headers.get("x-fleetgate-host-id") ?? "";
    const hostName = request.headers.get("x-fleetgate-host-name") ?? "";
    if (!hostId) return new Response("missing host", { status: 400 });
    // One live connection per host: a reconnect replaces a half-open predecessor.
    for (const old of this.ctx.getWebSockets()) {
      old.serializeAttachment({ ...this.attachment(old), hello: false });
      try {
        old.close(4000, "replaced by a new connection");
      } catch {
        // Already closing.
      }
    }
    this.setMeta("host_id", hostId);
    this.setMeta("host_name", hostName);
    const pair = new WebSocketPair();
    const attachment: Attachment = {
      hostId,
      hostName,
      certNotAfter: Number(request.headers.get("x-fleetgate-cert-not-after") ?? 0),
      connectedAt: Date.now(),
      hello: false,
    };
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(attachment);
    logAt(this.env.LOG_LEVEL, "info", "agent connected", { host_id: hostId, host_name: hostName });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return; // Binary frames are not part of the protocol.
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      logAt(this.env.LOG_LEVEL, "warn", "agent frame is not JSON", { host_id: this.attachment(ws).hostId });
      return;
    }
    const parsed = AgentMessage.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      logAt(this.env.LOG_LEVEL, "warn", "agent frame refused", {
        host_id: this.attachment(ws).hostId,
        type: typeof type === "string" ? type.slice(0, 32) : null,
      });
      return;
    }
    const frame = parsed.data;
    const now = Date.now();
    try {
      switch (frame.type) {
        case "hello":
          return await this.onHello(ws, frame, now);
        case "ack":
          return await this.onAck(frame.command_id, now);
        case "output":
          return this.onOutput(frame);
        case "result":
          return await this.onResult(frame, now);
        case "pong":
          return this.onPong(ws, frame.nonce, frame.version, now);
      }
    } catch (err) {
      // State is in storage (reports in the outbox): the alarm retries what did not go through.
      logAt(this.env.LOG_LEVEL, "error", "handling an agent frame failed", { type: frame.type, error: String(err) });
      await this.scheduleAlarm();
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.onDisconnect(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.onDisconnect(ws);
  }

  private async onDisconnect(ws: WebSocket): Promise<void> {
    const a = this.attachment(ws);
    const others = this.ctx.getWebSockets().filter((s) => s !== ws && s.readyState === WebSocket.OPEN);
    logAt(this.env.LOG_LEVEL, "info", "agent disconnected", { host_id: a.hostId, replaced: others.length > 0 });
    if (others.length > 0) return;
    for (const [nonce, p] of this.pings) {
      this.pings.delete(nonce);
      p.resolve({ ok: false, rtt_ms: Date.now() - p.sentAt, error: "connection closed" });
    }
    try {
      await this.markOffline();
    } catch (err) {
      logAt(this.env.LOG_LEVEL, "warn", "marking the host offline failed; the alarm retries", { error: String(err) });
      await this.scheduleAlarm();
    }
  }

  private async markOffline(): Promise<void> {
    const hostId = this.meta("host_id");
    if (!hostId || this.meta("online") !== "1") return;
    await recordAgentPresence(createDb(this.env.DB), hostId, false, Date.now());
    this.setMeta("online", "0");
  }

  // ---- agent frames ----------------------------------------------------

  private async onHello(ws: WebSocket, hello: Extract<AgentMessage, { type: "hello" }>, now: number): Promise<void> {
    const a = this.attachment(ws);
    try {
      await recordAgentHello(
        createDb(this.env.DB),
        a.hostId,
        {
          agentVersion: hello.agent_version,
          hostname: hello.hostname,
          os: hello.os,
          tags: hello.tags,
          scripts: hello.scripts,
        },
        now,
      );
      this.setMeta("online", "1");
    } catch (err) {
      // The connection is usable without the registry update; the liveness alarm marks it online later.
      logAt(this.env.LOG_LEVEL, "warn", "recording the agent's hello failed", {
        host_id: a.hostId,
        error: String(err),
      });
    }
    a.hello = true;
    a.version = hello.agent_version;
    a.hostname = hello.hostname.slice(0, 253);
    ws.serializeAttachment(a);
    this.send(ws, { type: "welcome", host_id: a.hostId, host_name: a.hostName, server_time: now });
    // Re-deliver every command without a result (docs/agent-protocol.md §4.6): the agent
    // answers a command it already has with `ack duplicate` + its stored result, never a second run.
    const open = this.sql
      .exec<CommandRow>("SELECT * FROM commands WHERE state IN ('queued', 'sent', 'acked') ORDER BY created_at")
      .toArray();
    for (const c of open) {
      if (c.state === "queued" && c.expires_at <= now) {
        this.expire(c, now);
        continue;
      }
      this.sendRun(ws, c);
      if (c.state === "queued") this.setState(c.command_id, "sent", now);
    }
    // A command cancelled while this host was away may still have reached it: tell it to stop.
    for (const c of this.sql
      .exec<{ command_id: string }>(
        "SELECT command_id FROM commands WHERE state = 'cancelled' AND updated_at > ?",
        now - RETENTION_MS,
      )
      .toArray()) {
      this.send(ws, { type: "cancel", command_id: c.command_id });
    }
    logAt(this.env.LOG_LEVEL, "info", "agent hello", {
      host_id: a.hostId,
      version: hello.agent_version,
      redelivered: open.length,
    });
    await this.scheduleAlarm();
    await this.drainOutbox();
  }

  private async onAck(commandId: string, now: number): Promise<void> {
    const c = this.command(commandId);
    if (!c) return;
    if (c.state === "queued" || c.state === "sent") {
      this.setState(commandId, "acked", now);
      this.report(c.job_id, { type: "ack", command_id: commandId, host_id: c.host_id, at: now });
      await this.drainOutbox();
    }
  }

  private async onResult(result: Extract<AgentMessage, { type: "result" }>, now: number): Promise<void> {
    const c = this.command(result.command_id);
    if (!c || c.state === "done" || c.state === "expired") return; // Unknown or already reported: idempotent.
    this.setState(c.command_id, "done", now);
    this.report(c.job_id, { type: "result", command_id: c.command_id, host_id: c.host_id, at: now, result });
    await this.drainOutbox();
  }

  private onOutput(frame: Extract<AgentMessage, { type: "output" }>): void {
    const c = this.command(frame.command_id);
    if (!c) return;
    const chunk: OutputChunk = {
      event_type: "output",
      job_id: c.job_id,
      host_id: c.host_id,
      stream: frame.stream,
      seq: frame.seq,
      data: frame.data,
    };
    this.publisher.publish(chunk);
  }

  private onPong(ws: WebSocket, nonce: string, version: string | undefined, now: number): void {
    const p = this.pings.get(nonce);
    if (!p) return;
    this.pings.delete(nonce);
    const a = this.attachment(ws);
    p.resolve({
      ok: true,
      rtt_ms: now - p.sentAt,
      version: version ?? a.version,
      hostname: a.hostname,
      cert_not_after: a.certNotAfter,
    });
  }

  // ---- RPC ---------------------------------------------------------------

  /** Stores a command and sends it if the host is connected (idempotent by command id). */
  async enqueue(raw: unknown): Promise<EnqueueOutcome> {
    const cmd = HostCommand.parse(raw);
    const now = Date.now();
    const ws = this.liveSocket();
    const known = this.command(cmd.command_id);
    if (known) {
      if (ws && (known.state === "queued" || known.state === "sent" || known.state === "acked")) {
        this.sendRun(ws, known);
        if (known.state === "queued") this.setState(known.command_id, "sent", now);
      }
      return "duplicate";
    }
    if (!ws && cmd.require_online) return "offline";
    this.sql.exec(
      `INSERT INTO commands (command_id, job_id, host_id, reqid, script, args, timeout_seconds, expires_at, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      cmd.command_id,
      cmd.job_id,
      cmd.host_id,
      cmd.reqid,
      cmd.script,
      JSON.stringify(cmd.args),
      cmd.timeout_seconds,
      cmd.expires_at,
      ws ? "sent" : "queued",
      now,
      now,
    );
    if (ws) {
      const row = this.command(cmd.command_id);
      if (row) this.sendRun(ws, row);
      return "sent";
    }
    await this.scheduleAlarm();
    return "queued";
  }

  /** Stops a command: dropped from the queue if not yet delivered, else the agent is told to cancel it. */
  async cancel(commandId: unknown): Promise<void> {
    const id = HostCommand.shape.command_id.parse(commandId);
    const c = this.command(id);
    if (!c || c.state === "done" || c.state === "expired" || c.state === "cancelled") return;
    const ws = this.liveSocket();
    if (ws && c.state !== "queued") this.send(ws, { type: "cancel", command_id: id });
    // An acknowledged command on a live connection keeps its state: its result (error
    // "cancelled") is still forwarded. Anything else is never (re-)delivered as a run again;
    // the next hello repeats the cancel in case the agent did receive it.
    if (c.state !== "acked" || !ws) this.setState(id, "cancelled", Date.now());
  }

  /** Sends a ping and resolves with the pong (or a timeout, driven by the alarm). */
  async ping(timeoutMs: unknown): Promise<PingOutcome> {
    const ms = PingTimeout.parse(timeoutMs);
    const ws = this.liveSocket();
    if (!ws) return { ok: false, rtt_ms: 0, error: "host offline" };
    const nonce = crypto.randomUUID();
    const sentAt = Date.now();
    const outcome = new Promise<PingOutcome>((resolve) => {
      this.pings.set(nonce, { sentAt, deadline: sentAt + ms, timeoutS: Math.ceil(ms / 1000), resolve });
    });
    this.send(ws, { type: "ping", nonce });
    await this.scheduleAlarm();
    return outcome;
  }

  /** The host was removed: close the connection and forget everything. */
  async disconnect(reason: unknown): Promise<void> {
    const text = Reason.parse(reason);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(4001, text);
      } catch {
        // Already closed.
      }
    }
    for (const [nonce, p] of this.pings) {
      this.pings.delete(nonce);
      p.resolve({ ok: false, rtt_ms: 0, error: "host removed" });
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // Close events of the sockets above still arrive: keep the (now empty) tables they touch.
    this.migrate();
  }

  /** Connection and queue state (tests, diagnostics). */
  async status(): Promise<ChannelStatus> {
    const ws = this.liveSocket();
    const a = ws ? this.attachment(ws) : undefined;
    const commands: Record<string, number> = {};
    for (const r of this.sql
      .exec<{ state: string; n: number }>("SELECT state, count(*) AS n FROM commands GROUP BY state")
      .toArray()) {
      commands[r.state] = r.n;
    }
    const outbox = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
    return {
      online: ws !== undefined,
      connected_at: a?.connectedAt ?? null,
      agent_version: a?.version ?? null,
      reported_hostname: a?.hostname ?? null,
      commands,
      outbox,
    };
  }

  // ---- alarm -------------------------------------------------------------

  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const c of this.sql
      .exec<CommandRow>("SELECT * FROM commands WHERE state = 'queued' AND expires_at <= ?", now)
      .toArray()) {
      this.expire(c, now);
    }
    for (const [nonce, p] of this.pings) {
      if (p.deadline <= now) {
        this.pings.delete(nonce);
        p.resolve({ ok: false, rtt_ms: now - p.sentAt, error: `read timeout after ${p.timeoutS}s` });
      }
    }
    this.sql.exec(
      "DELETE FROM commands WHERE state IN ('done', 'cancelled', 'expired') AND updated_at < ?",
      now - RETENTION_MS,
    );
    await this.drainOutbox();
    const hostId = this.meta("host_id");
    try {
      if (hostId && this.liveSocket()) {
        // Still connected: refresh last_seen_at (the agent's own pings never wake us).
        await recordAgentPresence(createDb(this.env.DB), hostId, true, now);
        this.setMeta("online", "1");
      } else if (hostId) {
        // No socket (e.g. the runtime restarted without a close event): D1 must not say online.
        await this.markOffline();
      }
    } finally {
      await this.scheduleAlarm();
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const now = Date.now();
    const candidates: number[] = [];
    const queued = this.sql
      .exec<{ t: number | null }>("SELECT min(expires_at) AS t FROM commands WHERE state = 'queued'")
      .one().t;
    if (queued !== null) candidates.push(queued);
    const outbox = this.sql.exec<{ t: number | null }>("SELECT min(next_at) AS t FROM outbox").one().t;
    if (outbox !== null) candidates.push(outbox);
    for (const p of this.pings.values()) candidates.push(p.deadline);
    if (this.liveSocket() || this.meta("online") === "1") candidates.push(now + LIVENESS_MS);
    const oldest = this.sql
      .exec<{ t: number | null }>(
        "SELECT min(updated_at) AS t FROM commands WHERE state IN ('done', 'cancelled', 'expired')",
      )
      .one().t;
    if (oldest !== null) candidates.push(oldest + RETENTION_MS);
    if (candidates.length === 0) return;
    await this.ctx.storage.setAlarm(Math.max(now, Math.min(...candidates)));
  }

  // ---- outbox to JobRun ---------------------------------------------------

  private report(jobId: string, report: HostReport): void {
    this.sql.exec(
      "INSERT INTO outbox (job_id, payload, next_at) VALUES (?, ?, ?)",
      jobId,
      JSON.stringify(report),
      Date.now(),
    );
  }

  /** Delivers outbox entries in order; stops at the first failure and lets the alarm retry. */
  private drainOutbox(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const row = this.sql
        .exec<{ seq: number; job_id: string; payload: string; attempts: number }>(
          "SELECT seq, job_id, payload, attempts FROM outbox ORDER BY seq LIMIT 1",
        )
        .toArray()[0];
      if (!row) return;
      try {
        const report = HostReport.parse(JSON.parse(row.payload));
        await this.env.JOBS.get(this.env.JOBS.idFromName(row.job_id)).report(report);
        this.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
      } catch (err) {
        const backoff = Math.min(60_000, OUTBOX_RETRY_MS * 2 ** Math.min(row.attempts, 5));
        this.sql.exec(
          "UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE seq = ?",
          Date.now() + backoff,
          row.seq,
        );
        logAt(this.env.LOG_LEVEL, "warn", "report to JobRun failed; will retry", {
          job_id: row.job_id,
          error: String(err),
        });
        await this.scheduleAlarm();
        return;
      }
    }
  }

  // ---- helpers -------------------------------------------------------------

  private expire(c: CommandRow, now: number): void {
    this.setState(c.command_id, "expired", now);
    this.report(c.job_id, { type: "expired", command_id: c.command_id, host_id: c.host_id, at: now });
    logAt(this.env.LOG_LEVEL, "info", `REQID=${c.reqid} command expired in the queue of an offline host`, {
      reqid: c.reqid,
      command_id: c.command_id,
      host_id: c.host_id,
    });
  }

  private sendRun(ws: WebSocket, c: CommandRow): void {
    this.send(ws, {
      type: "run",
      command_id: c.command_id,
      reqid: c.reqid,
      script: c.script,
      args: JSON.parse(c.args) as string[],
      timeout_seconds: c.timeout_seconds,
      expires_at: c.expires_at,
    });
  }

  private send(ws: WebSocket, frame: ServerMessage): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch (err) {
      logAt(this.env.LOG_LEVEL, "warn", "send to agent failed", { type: frame.type, error: String(err) });
    }
  }

  /** The open socket whose agent said hello, if any. */
  private liveSocket(): WebSocket | undefined {
    return this.ctx
      .getWebSockets()
      .find((ws) => ws.readyState === WebSocket.OPEN && this.attachment(ws).hello === true);
  }

  private attachment(ws: WebSocket): Attachment {
    return (
      (ws.deserializeAttachment() as Attachment | null) ?? {
        hostId: this.meta("host_id") ?? "",
        hostName: this.meta("host_name") ?? "",
        certNotAfter: 0,
        connectedAt: 0,
        hello: false,
      }
    );
  }

  private command(id: string): CommandRow | undefined {
    return this.sql.exec<CommandRow>("SELECT * FROM commands WHERE command_id = ?", id).toArray()[0];
  }

  private setState(id: string, state: CommandState, now: number): void {
    this.sql.exec("UPDATE commands SET state = ?, updated_at = ? WHERE command_id = ?", state, now, id);
  }

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
      key,
      value,
      value,
    );
  }
}
