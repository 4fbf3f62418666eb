import { DurableObject } from "cloudflare:workers";
import {
  AgentMessage,
  type EnqueueOutcome,
  HealthCheckSpec,
  HostCommand,
  HostReport,
  type OutputChunk,
} from "@fleetgate/contract";
import {
  certificateStillValid,
  createDb,
  type HealthRunOutcome,
  hostInventoryHash,
  type InventoryReport,
  jobRunStub,
  logAt,
  recordAgentHello,
} from "@fleetgate/domain";
import { z } from "zod";
import { EventPublisher } from "../publisher";
import { AlarmScheduler } from "../shared/alarm-scheduler";
import { DurableOutbox } from "../shared/durable-outbox";
import { AgentSockets } from "./agent-socket";
import { CommandQueue } from "./command-queue";
import { DiscoveryRelay } from "./discovery-relay";
import type { Attachment, ChannelStatus, CommandRow, PingOutcome } from "./host-channel.types";
import { HealthRequests, InventoryInbox } from "./patch-reports";
import { Presence } from "./presence";

export type { ChannelStatus, PingOutcome } from "./host-channel.types";

const LIVENESS_MS = 5 * 60_000;
const PingTimeout = z.number().int().min(1).max(600_000);
const Reason = z.string().max(120);
const HealthChecks = z.array(HealthCheckSpec).min(1).max(16);
const EndCertificates = z.object({ cert_ids: z.array(z.string().max(64)).min(1).max(100), reason: Reason });
/** Close code of a socket whose certificate was revoked, superseded or expired. */
const CERT_ENDED = 4003;

interface PendingPing {
  sentAt: number;
  deadline: number;
  timeoutS: number;
  resolve: (p: PingOutcome) => void;
}

/**
 * One per enrolled host (`idFromName(hostId)`): holds the agent's WebSocket
 * with the hibernation API (`AgentSockets`), the host's durable command queue
 * (`CommandQueue`), its presence in D1 (`Presence`), and forwards what the
 * agent reports to each command's JobRun through a durable outbox — a result
 * is never lost even if this object or the JobRun is reset in between.
 * Timing is alarms only: queued-command expiry, outbox retries, ping
 * deadlines, a liveness tick while connected, and retention.
 */
export class HostChannel extends DurableObject<Env> {
  private readonly queue: CommandQueue;
  private readonly presence: Presence;
  private readonly sockets: AgentSockets;
  private readonly outbox: DurableOutbox<typeof HostReport>;
  private readonly alarms: AlarmScheduler;
  private readonly publisher: EventPublisher;
  private readonly pings = new Map<string, PendingPing>();
  private readonly inventory: InventoryInbox;
  private readonly health = new HealthRequests();
  private readonly discovery: DiscoveryRelay;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.queue = new CommandQueue(ctx.storage.sql);
    this.presence = new Presence(ctx.storage.sql, env.DB);
    this.sockets = new AgentSockets(ctx, env.LOG_LEVEL, () => ({
      hostId: this.presence.get("host_id") ?? "",
      hostName: this.presence.get("host_name") ?? "",
    }));
    this.outbox = new DurableOutbox(
      ctx.storage.sql,
      HostReport,
      async (jobId, report) => {
        await jobRunStub(env.JOBS, jobId).report(report);
      },
      (jobId, err) =>
        logAt(env.LOG_LEVEL, "warn", "report to JobRun failed; will retry", { job_id: jobId, error: String(err) }),
    );
    this.alarms = new AlarmScheduler(ctx.storage);
    this.publisher = new EventPublisher(env);
    this.inventory = new InventoryInbox(env.DB, env.LOG_LEVEL);
    this.discovery = new DiscoveryRelay(env.DB, this.sockets, env.LOG_LEVEL);
    ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.presence.migrate();
    this.queue.migrate();
    this.outbox.migrate();
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
    this.sockets.closeAll(4000, "replaced by a new connection", true);
    this.presence.set("host_id", hostId);
    this.presence.set("host_name", hostName);
    const pair = new WebSocketPair();
    const attachment: Attachment = {
      hostId,
      hostName,
      certNotAfter: Number(request.headers.get("x-fleetgate-cert-not-after") ?? 0),
      certId: request.headers.get("x-fleetgate-cert-id") ?? undefined,
      connectedAt: Date.now(),
      hello: false,
    };
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(attachment);
    // The alarm closes the socket at the certificate's notAfter.
    await this.scheduleAlarm();
    logAt(this.env.LOG_LEVEL, "info", "agent connected", { host_id: hostId, host_name: hostName });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return; // Binary frames are not part of the protocol.
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      logAt(this.env.LOG_LEVEL, "warn", "agent frame is not JSON", { host_id: this.sockets.attachment(ws).hostId });
      return;
    }
    const parsed = AgentMessage.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      logAt(this.env.LOG_LEVEL, "warn", "agent frame refused", {
        host_id: this.sockets.attachment(ws).hostId,
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
        case "inventory":
          return await this.onInventory(ws, { kind: "full", inventory: frame.inventory });
        case "inventory_diff":
          return await this.onInventory(ws, { kind: "diff", diff: frame.diff });
        case "health_results":
          return this.health.answer(frame.request_id, frame.results);
        case "discovery_results":
          return await this.discovery.onResults(this.sockets.attachment(ws).hostId, frame, now);
        case "discovery_done":
          return await this.discovery.onDone(this.sockets.attachment(ws).hostId, frame, now);
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
    const a = this.sockets.attachment(ws);
    const others = this.sockets.othersOpen(ws);
    logAt(this.env.LOG_LEVEL, "info", "agent disconnected", { host_id: a.hostId, replaced: others.length > 0 });
    if (others.length > 0) return;
    this.settlePings("connection closed");
    this.health.settle("the agent disconnected");
    try {
      await this.presence.markOffline();
    } catch (err) {
      logAt(this.env.LOG_LEVEL, "warn", "marking the host offline failed; the alarm retries", { error: String(err) });
      await this.scheduleAlarm();
    }
  }

  // ---- agent frames ----------------------------------------------------

  private async onHello(ws: WebSocket, hello: Extract<AgentMessage, { type: "hello" }>, now: number): Promise<void> {
    const a = this.sockets.attachment(ws);
    let inventoryHash: string | null = null;
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
      this.presence.set("online", "1");
      inventoryHash = await hostInventoryHash(createDb(this.env.DB), a.hostId);
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
    this.sockets.send(ws, {
      type: "welcome",
      host_id: a.hostId,
      host_name: a.hostName,
      server_time: now,
      inventory_hash: inventoryHash,
    });
    // Re-deliver every command without a result (docs/agent-protocol.md §4.6): the agent
    // answers a command it already has with `ack duplicate` + its stored result, never a second run.
    const open = this.queue.open();
    for (const c of open) {
      if (c.state === "queued" && c.expires_at <= now) {
        this.expire(c, now);
        continue;
      }
      this.sockets.sendRun(ws, c);
      if (c.state === "queued") this.queue.setState(c.command_id, "sent", now);
    }
    // A command cancelled while this host was away may still have reached it: tell it to stop.
    for (const id of this.queue.recentlyCancelled(now)) this.sockets.send(ws, { type: "cancel", command_id: id });
    logAt(this.env.LOG_LEVEL, "info", "agent hello", {
      host_id: a.hostId,
      version: hello.agent_version,
      redelivered: open.length,
    });
    await this.scheduleAlarm();
    await this.drainOutbox();
  }

  private async onAck(commandId: string, now: number): Promise<void> {
    const c = this.queue.get(commandId);
    if (!c) return;
    if (c.state === "queued" || c.state === "sent") {
      this.queue.setState(commandId, "acked", now);
      this.outbox.add(c.job_id, { type: "ack", command_id: commandId, host_id: c.host_id, at: now });
      await this.drainOutbox();
    }
  }

  private async onResult(result: Extract<AgentMessage, { type: "result" }>, now: number): Promise<void> {
    const c = this.queue.get(result.command_id);
    if (!c || c.state === "done" || c.state === "expired") return; // Unknown or already reported: idempotent.
    this.queue.setState(c.command_id, "done", now);
    this.outbox.add(c.job_id, { type: "result", command_id: c.command_id, host_id: c.host_id, at: now, result });
    await this.drainOutbox();
  }

  private onOutput(frame: Extract<AgentMessage, { type: "output" }>): void {
    const c = this.queue.get(frame.command_id);
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

  /** Stores an inventory report (serialized per host) and tells the agent what the server now holds. */
  private async onInventory(ws: WebSocket, report: InventoryReport): Promise<void> {
    const a = this.sockets.attachment(ws);
    if (!a.hello) return;
    await this.inventory.receive(a.hostId, report, (hash) =>
      this.sockets.send(ws, { type: "inventory_ack", hash, full_needed: hash === null }),
    );
  }

  private onPong(ws: WebSocket, nonce: string, version: string | undefined, now: number): void {
    const p = this.pings.get(nonce);
    if (!p) return;
    this.pings.delete(nonce);
    const a = this.sockets.attachment(ws);
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
    // Never send a command over a connection whose certificate ended (finding 3).
    await this.verifyLive(Date.now(), cmd.valid_cert_ids);
    const now = Date.now();
    const ws = this.sockets.live();
    const known = this.queue.get(cmd.command_id);
    if (known) {
      if (ws && (known.state === "queued" || known.state === "sent" || known.state === "acked")) {
        this.sockets.sendRun(ws, known);
        if (known.state === "queued") this.queue.setState(known.command_id, "sent", now);
      }
      return "duplicate";
    }
    if (!ws && cmd.require_online) return "offline";
    const row = this.queue.insert(cmd, ws ? "sent" : "queued", now);
    if (ws) {
      if (row) this.sockets.sendRun(ws, row);
      return "sent";
    }
    await this.scheduleAlarm();
    return "queued";
  }

  /** Stops a command: dropped from the queue if not yet delivered, else the agent is told to cancel it. */
  async cancel(commandId: unknown): Promise<void> {
    const id = HostCommand.shape.command_id.parse(commandId);
    const c = this.queue.get(id);
    if (!c || c.state === "done" || c.state === "expired" || c.state === "cancelled") return;
    const ws = this.sockets.live();
    if (ws && c.state !== "queued") this.sockets.send(ws, { type: "cancel", command_id: id });
    // An acknowledged command on a live connection keeps its state: its result (error
    // "cancelled") is still forwarded. Anything else is never (re-)delivered as a run again;
    // the next hello repeats the cancel in case the agent did receive it.
    if (c.state !== "acked" || !ws) this.queue.setState(id, "cancelled", Date.now());
  }

  /** Sends a ping and resolves with the pong (or a timeout, driven by the alarm). */
  async ping(timeoutMs: unknown): Promise<PingOutcome> {
    const ms = PingTimeout.parse(timeoutMs);
    const ws = this.sockets.live();
    if (!ws) return { ok: false, rtt_ms: 0, error: "host offline" };
    const nonce = crypto.randomUUID();
    const sentAt = Date.now();
    const outcome = new Promise<PingOutcome>((resolve) => {
      this.pings.set(nonce, { sentAt, deadline: sentAt + ms, timeoutS: Math.ceil(ms / 1000), resolve });
    });
    this.sockets.send(ws, { type: "ping", nonce });
    await this.scheduleAlarm();
    return outcome;
  }

  /** Asks the agent for a fresh inventory now; false when it is not connected (it reports on connect). */
  async refreshInventory(): Promise<boolean> {
    const ws = this.sockets.live();
    if (!ws) return false;
    this.sockets.send(ws, { type: "refresh" });
    return true;
  }

  /** Runs health checks on the agent and resolves with its results (or why there are none). */
  async runHealthChecks(checks: unknown, timeoutMs: unknown): Promise<HealthRunOutcome> {
    const specs = HealthChecks.parse(checks);
    const ms = PingTimeout.parse(timeoutMs);
    const ws = this.sockets.live();
    if (!ws) return { ok: false, error: "the agent is not connected" };
    const requestId = crypto.randomUUID();
    const outcome = this.health.open(requestId, specs, ms);
    this.sockets.send(ws, { type: "health_check", request_id: requestId, checks: specs });
    await this.scheduleAlarm();
    return outcome;
  }

  /** Hands a discovery scan to the connected agent (docs/agent-protocol.md, "Discovery"). */
  async discover(frame: unknown): Promise<"sent" | "offline"> {
    return this.discovery.send(frame);
  }

  /** The host was removed: close the connection and forget everything. */
  async disconnect(reason: unknown): Promise<void> {
    const text = Reason.parse(reason);
    this.sockets.closeAll(4001, text);
    this.settlePings("host removed", true);
    this.health.settle("host removed");
    await this.alarms.clear();
    await this.ctx.storage.deleteAll();
    // Close events of the sockets above still arrive: keep the (now empty) tables they touch.
    this.migrate();
  }

  /** Certificates of this host were revoked or superseded: close the connections they authenticated. */
  async endCertificates(raw: unknown): Promise<number> {
    const { cert_ids, reason } = EndCertificates.parse(raw);
    return this.closeWhere((a) => a.certId === undefined || cert_ids.includes(a.certId), reason);
  }

  /**
   * Closes the live socket when its certificate is no longer active in D1 or
   * past its notAfter. A D1 error keeps the socket (the next check retries).
   * `validCertIds`: the host's valid certificates as the dispatching JobRun
   * just read them from D1 (one read per wave); without it, D1 is read here.
   */
  private async verifyLive(now: number, validCertIds?: readonly string[]): Promise<void> {
    const ws = this.sockets.live();
    if (!ws) return;
    const a = this.sockets.attachment(ws);
    if (a.certNotAfter > 0 && a.certNotAfter <= now) {
      this.closeWhere((_, s) => s === ws, "certificate expired");
      return;
    }
    if (!a.certId) return;
    if (validCertIds) {
      if (!validCertIds.includes(a.certId)) this.closeWhere((x) => x.certId === a.certId, "certificate no longer valid");
      return;
    }
    try {
      if (!(await certificateStillValid(createDb(this.env.DB), a.certId, now))) {
        this.closeWhere((x) => x.certId === a.certId, "certificate no longer valid");
      }
    } catch (err) {
      logAt(this.env.LOG_LEVEL, "warn", "certificate recheck failed", { error: String(err) });
    }
  }

  private closeWhere(pred: (a: Attachment, ws: WebSocket) => boolean, reason: string): number {
    let n = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const a = this.sockets.attachment(ws);
      if (!pred(a, ws)) continue;
      ws.serializeAttachment({ ...a, hello: false });
      try {
        ws.close(CERT_ENDED, reason);
      } catch {
        // Already closing.
      }
      n++;
    }
    if (n > 0) logAt(this.env.LOG_LEVEL, "info", "agent connection closed", { reason, sockets: n });
    return n;
  }

  /** Connection and queue state (tests, diagnostics). */
  async status(): Promise<ChannelStatus> {
    const ws = this.sockets.live();
    const a = ws ? this.sockets.attachment(ws) : undefined;
    return {
      online: ws !== undefined,
      connected_at: a?.connectedAt ?? null,
      agent_version: a?.version ?? null,
      reported_hostname: a?.hostname ?? null,
      commands: this.queue.countsByState(),
      outbox: this.outbox.size(),
    };
  }

  // ---- alarm -------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarms.fired();
    const now = Date.now();
    for (const c of this.queue.expiredQueued(now)) this.expire(c, now);
    for (const [nonce, p] of this.pings) {
      if (p.deadline <= now) {
        this.pings.delete(nonce);
        p.resolve({ ok: false, rtt_ms: now - p.sentAt, error: `read timeout after ${p.timeoutS}s` });
      }
    }
    this.health.expire(now);
    this.queue.purge(now);
    await this.drainOutbox();
    await this.verifyLive(now);
    const hostId = this.presence.get("host_id");
    try {
      if (hostId && this.sockets.live()) {
        // Still connected: refresh last_seen_at (the agent's own pings never wake us).
        await this.presence.markOnline(hostId, now);
      } else if (hostId) {
        // No socket (e.g. the runtime restarted without a close event): D1 must not say online.
        await this.presence.markOffline();
      }
    } finally {
      await this.scheduleAlarm();
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const now = Date.now();
    const candidates = this.queue.wakeTimes();
    const outbox = this.outbox.nextAt();
    if (outbox !== null) candidates.push(outbox);
    for (const p of this.pings.values()) candidates.push(p.deadline);
    candidates.push(...this.health.deadlines());
    const live = this.sockets.live();
    if (live || this.presence.get("online") === "1") candidates.push(now + LIVENESS_MS);
    for (const ws of this.ctx.getWebSockets()) {
      const notAfter = this.sockets.attachment(ws).certNotAfter;
      if (notAfter > now) candidates.push(notAfter);
    }
    await this.alarms.armEarliest(candidates, now);
  }

  // ---- helpers -------------------------------------------------------------

  /** Delivers the outbox; on a failure the alarm retries (backoff is in the outbox rows). */
  private async drainOutbox(): Promise<void> {
    if (!(await this.outbox.drain())) await this.scheduleAlarm();
  }

  private settlePings(error: string, zeroRtt = false): void {
    for (const [nonce, p] of this.pings) {
      this.pings.delete(nonce);
      p.resolve({ ok: false, rtt_ms: zeroRtt ? 0 : Date.now() - p.sentAt, error });
    }
  }

  private expire(c: CommandRow, now: number): void {
    this.queue.setState(c.command_id, "expired", now);
    this.outbox.add(c.job_id, { type: "expired", command_id: c.command_id, host_id: c.host_id, at: now });
    logAt(this.env.LOG_LEVEL, "info", `REQID=${c.reqid} command expired in the queue of an offline host`, {
      reqid: c.reqid,
      command_id: c.command_id,
      host_id: c.host_id,
    });
  }
}
