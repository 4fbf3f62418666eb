import { DurableObject } from "cloudflare:workers";
import { type AgentMessage, type EnqueueOutcome, HealthCheckSpec, HostCommand } from "@fleetgate/contract";
import { type HealthRunOutcome, type InventoryReport, logAt } from "@fleetgate/domain";
import { z } from "zod";
import { EventPublisher } from "../publisher";
import { AlarmScheduler } from "../shared/alarm-scheduler";
import { DomainAccess, objectScope } from "../shared/domain-access";
import { parseAgentFrame } from "./agent-frames";
import { type HelloFrame, recordCrlReport, recordHello } from "./agent-hello";
import { AgentSockets } from "./agent-socket";
import { CertificateGuard } from "./certificate-guard";
import { CommandDelivery } from "./command-delivery";
import { DiscoveryRelay } from "./discovery-relay";
import { answerHealthGate, storeGateResults } from "./health-gates";
import type { Attachment, ChannelStatus, PingOutcome } from "./host-channel.types";
import { HealthRequests, InventoryInbox } from "./patch-reports";
import { PingRequests } from "./ping-requests";
import { Presence } from "./presence";

export type { ChannelStatus, PingOutcome } from "./host-channel.types";

const LIVENESS_MS = 5 * 60_000;
const PingTimeout = z.number().int().min(1).max(600_000);
const Reason = z.string().max(120);
const HealthChecks = z.array(HealthCheckSpec).min(1).max(16);
const EndCertificates = z.object({ cert_ids: z.array(z.string().max(64)).min(1).max(100), reason: Reason });

/**
 * One per enrolled host (`idFromName(hostId)`): holds the agent's WebSocket
 * with the hibernation API (`AgentSockets`), the host's commands
 * (`CommandDelivery`: durable queue + outbox to each command's JobRun), its
 * presence in D1 (`Presence`), the certificate checks (`CertificateGuard`),
 * pings, health checks, inventory and discovery. This class only routes agent
 * frames and RPCs to those parts and arms the one alarm. Timing is alarms
 * only: queued-command expiry, outbox retries, ping deadlines, a liveness tick
 * while connected, certificate ends, and retention.
 */
export class HostChannel extends DurableObject<Env> {
  private readonly presence: Presence;
  private readonly sockets: AgentSockets;
  private readonly commands: CommandDelivery;
  private readonly certificates: CertificateGuard;
  private readonly alarms: AlarmScheduler;
  private readonly pings = new PingRequests();
  private readonly inventory: InventoryInbox;
  private readonly health = new HealthRequests();
  private readonly discovery: DiscoveryRelay;
  private readonly domain: DomainAccess;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const domain = new DomainAccess(env, objectScope("host", ctx));
    this.domain = domain;
    this.presence = new Presence(ctx.storage.sql, domain);
    this.sockets = new AgentSockets(ctx, env.LOG_LEVEL, () => ({
      hostId: this.presence.get("host_id") ?? "",
      hostName: this.presence.get("host_name") ?? "",
    }));
    this.commands = new CommandDelivery(
      ctx.storage.sql,
      domain,
      this.sockets,
      new EventPublisher(domain, env.LOG_LEVEL),
      env.LOG_LEVEL,
      () => this.scheduleAlarm(),
    );
    this.certificates = new CertificateGuard(ctx, domain, this.sockets, env.LOG_LEVEL);
    this.alarms = new AlarmScheduler(ctx.storage);
    this.inventory = new InventoryInbox(domain, env.LOG_LEVEL);
    this.discovery = new DiscoveryRelay(domain, this.sockets, env.LOG_LEVEL);
    ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.presence.migrate();
    this.commands.migrate();
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
    this.presence.remember(hostId, hostName);
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
    const hostId = this.sockets.attachment(ws).hostId;
    const frame = parseAgentFrame(message, hostId, this.env.LOG_LEVEL);
    if (!frame) return;
    try {
      await this.onFrame(ws, hostId, frame, Date.now());
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
    this.pings.settle("connection closed");
    this.health.settle("the agent disconnected");
    try {
      await this.presence.markOffline();
    } catch (err) {
      logAt(this.env.LOG_LEVEL, "warn", "marking the host offline failed; the alarm retries", { error: String(err) });
      await this.scheduleAlarm();
    }
  }

  // ---- agent frames ----------------------------------------------------

  /** Routes one validated agent frame to the part that owns it. */
  private async onFrame(ws: WebSocket, hostId: string, frame: AgentMessage, now: number): Promise<void> {
    switch (frame.type) {
      case "hello":
        return await this.onHello(ws, frame, now);
      case "ack":
        return await this.commands.onAck(frame.command_id, now);
      case "output":
        return this.commands.onOutput(frame);
      case "result":
        return await this.commands.onResult(frame, now);
      case "pong": {
        const a = this.sockets.attachment(ws);
        const facts = { version: frame.version ?? a.version, hostname: a.hostname, certNotAfter: a.certNotAfter };
        return this.pings.answer(frame.nonce, facts, now);
      }
      case "inventory":
        return await this.onInventory(ws, { kind: "full", inventory: frame.inventory });
      case "inventory_diff":
        return await this.onInventory(ws, { kind: "diff", diff: frame.diff });
      case "health_results":
        return this.health.answer(frame.request_id, frame.results);
      case "health_gate":
        return await answerHealthGate(this.domain, hostId, frame, (f) => this.sockets.send(ws, f), this.env.LOG_LEVEL);
      case "health_gate_results":
        return await storeGateResults(this.domain, hostId, frame, this.env.LOG_LEVEL);
      case "discovery_results":
        return await this.discovery.onResults(hostId, frame, now);
      case "discovery_done":
        return await this.discovery.onDone(hostId, frame, now);
      case "crl_state":
        return await recordCrlReport(this.domain, hostId, frame.crl, now, this.env.LOG_LEVEL);
      case "rebooting":
        return await this.commands.onRebooting(frame, now, (confirmed) =>
          this.sockets.send(ws, { type: "reboot_confirmed", command_id: frame.command_id, confirmed }),
        );
    }
  }

  private async onHello(ws: WebSocket, hello: HelloFrame, now: number): Promise<void> {
    // Commands are re-delivered below: never over a connection whose certificate ended since the
    // upgrade checked it (a revocation whose close call was lost; finding 3).
    if (this.commands.hasOpen() && !(await this.certificates.verifySocket(ws, now))) return;
    const a = this.sockets.attachment(ws);
    const inventoryHash = await recordHello(this.domain, this.presence, a.hostId, hello, now, this.env.LOG_LEVEL);
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
    const redelivered = this.commands.redeliver(ws, now);
    logAt(this.env.LOG_LEVEL, "info", "agent hello", { host_id: a.hostId, version: hello.agent_version, redelivered });
    // No new wake-up: the upgrade armed the alarm (certificate end, liveness); re-delivery only
    // moves queued commands on (or expires them into the outbox, whose failed drain arms it).
    await this.commands.drain();
  }

  /** Stores an inventory report (serialized per host) and tells the agent what the server now holds. */
  private async onInventory(ws: WebSocket, report: InventoryReport): Promise<void> {
    const a = this.sockets.attachment(ws);
    if (!a.hello) return;
    await this.inventory.receive(a.hostId, report, (hash) =>
      this.sockets.send(ws, { type: "inventory_ack", hash, full_needed: hash === null }),
    );
  }

  // ---- RPC ---------------------------------------------------------------

  /** Stores a command and sends it if the host is connected (idempotent by command id). */
  async enqueue(raw: unknown): Promise<EnqueueOutcome> {
    const cmd = HostCommand.parse(raw);
    const now = Date.now();
    // Never send a command over a connection whose certificate ended (finding 3).
    const ws = await this.certificates.verifyLive(now, cmd.valid_cert_ids);
    return this.commands.enqueue(cmd, ws, now);
  }

  /** Stops a command: dropped from the queue if not yet delivered, else the agent is told to cancel it. */
  async cancel(commandId: unknown): Promise<void> {
    const id = HostCommand.shape.command_id.parse(commandId);
    this.commands.cancel(id, this.sockets.live(), Date.now());
  }

  /** Sends a ping and resolves with the pong (or a timeout, driven by the alarm). */
  async ping(timeoutMs: unknown): Promise<PingOutcome> {
    const ms = PingTimeout.parse(timeoutMs);
    const ws = this.sockets.live();
    if (!ws) return { ok: false, rtt_ms: 0, error: "host offline" };
    const nonce = crypto.randomUUID();
    const outcome = this.pings.open(nonce, ms);
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
    this.pings.settle("host removed", true);
    this.health.settle("host removed");
    await this.alarms.clear();
    await this.ctx.storage.deleteAll();
    // Close events of the sockets above still arrive: keep the (now empty) tables they touch.
    this.migrate();
  }

  /** Certificates of this host were revoked or superseded: close the connections they authenticated. */
  async endCertificates(raw: unknown): Promise<number> {
    const { cert_ids, reason } = EndCertificates.parse(raw);
    return this.certificates.endCertificates(cert_ids, reason);
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
      ...this.commands.counts(),
    };
  }

  // ---- alarm -------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarms.fired();
    const now = Date.now();
    this.commands.expireDue(now);
    this.pings.expire(now);
    this.health.expire(now);
    await this.commands.drain();
    await this.certificates.verifyLive(now);
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
    const candidates = [
      ...this.commands.wakeTimes(),
      ...this.pings.deadlines(),
      ...this.health.deadlines(),
      ...this.certificates.wakeTimes(now),
    ];
    if (this.sockets.live() || this.presence.get("online") === "1") candidates.push(now + LIVENESS_MS);
    await this.alarms.armEarliest(candidates, now);
  }
}
