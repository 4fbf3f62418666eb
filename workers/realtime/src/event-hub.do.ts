import { DurableObject } from "cloudflare:workers";
import { StreamEvent } from "@fleetgate/contract";
import { z } from "zod";
import { AlarmScheduler } from "./shared/alarm-scheduler";

/** Topic of the all-jobs stream; a per-job stream's topic is the job id. */
export const ALL_JOBS = "*";
/** The all-jobs stream of a non-admin: every job's progress, but no host output or error text. */
export const ALL_JOBS_REDACTED = "*redacted";
const Topic = z.union([z.literal(ALL_JOBS), z.literal(ALL_JOBS_REDACTED), z.uuid()]);
const Events = z.array(StreamEvent).max(1000);
const Id = z.string().min(1).max(64);
const Subscriber = z.object({
  identity: Id,
  session: Id.optional(),
  key: z.uuid().optional(),
  scoped: z.literal("1").optional(),
  /** When the socket's sign-in session ends (epoch ms): the alarm closes it then. */
  ends: z
    .string()
    .regex(/^[0-9]{1,15}$/)
    .transform(Number)
    .optional(),
});
const Restriction = z.object({ key: z.uuid(), hosts: z.array(Id).max(10_000) });
/** At most this many dashboard sockets per identity; a new one closes the oldest. */
export const MAX_SOCKETS_PER_IDENTITY = 16;
/**
 * Close code for a socket ended by the server for a policy reason (RFC 6455 1008): its user was
 * disabled, deleted, re-roled or revoked, changed or was reset a credential, or its sign-in session
 * ended; the reason text says which (docs/auth.md "Live sockets").
 */
export const POLICY_CLOSE = 1008;
/**
 * Close code (RFC 6455 §7.4.2 private range) for a non-admin job stream whose visible hosts may
 * have changed (group membership): the client reconnects with a new ticket and is authorised afresh.
 */
export const VISIBILITY_CHANGED_CLOSE = 4001;

/** What a socket carries through hibernation (serializeAttachment, < 2 KB). */
interface SocketInfo {
  identity: string;
  /** Set when the socket's job stream shows only some hosts (the list is in storage `vis:<key>`). */
  key?: string;
  /** A job stream of a non-admin: its visible hosts depend on group membership. */
  scoped?: boolean;
  /** When its sign-in session ends (epoch ms; the refresh family's absolute lifetime, the API token's expiry). */
  ends?: number;
}
/** Close reason of a socket whose sign-in session has expired. */
export const SESSION_EXPIRED = "session expired";
const identityTag = (id: string) => `id:${id}`;
const sessionTag = (id: string) => `sess:${id}`;

/**
 * Fan-out of job events to dashboard WebSockets (`/api/v1/ws/jobs`). One
 * instance per deployment; sockets use the hibernation API so idle dashboards
 * cost nothing, and are tagged with their topic (`*` or a job id).
 *
 * `job_update` frames go to every all-jobs socket and to the job's own
 * sockets; output chunks go to the job's own sockets only. Linux Patch
 * Manager sends every event to every user (§6); here the all-jobs stream of a
 * non-admin (who may not see every host) carries the same frames without
 * `output` and `error_message` — the per-job stream, which is only opened for
 * a job the user may see, carries them in full.
 */
export class EventHub extends DurableObject<Env> {
  private readonly alarms: AlarmScheduler;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.alarms = new AlarmScheduler(ctx.storage);
  }

  /** Accepts an already-authorised dashboard socket (the API worker checks Origin and ticket first). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const params = new URL(request.url).searchParams;
    const topic = Topic.safeParse(params.get("topic") ?? ALL_JOBS);
    const who = Subscriber.safeParse({
      identity: params.get("identity"),
      session: params.get("session") ?? undefined,
      key: params.get("key") ?? undefined,
      scoped: params.get("scoped") ?? undefined,
      ends: params.get("ends") ?? undefined,
    });
    if (!topic.success || !who.success) return new Response("bad subscription", { status: 400 });
    // Bounded sockets per identity: the oldest make room.
    const own = this.ctx.getWebSockets(identityTag(who.data.identity));
    for (const ws of own.slice(0, Math.max(0, own.length - MAX_SOCKETS_PER_IDENTITY + 1))) {
      this.end(ws, "too many sockets for this user");
    }
    const pair = new WebSocketPair();
    const tags = [topic.data, identityTag(who.data.identity)];
    if (who.data.session) tags.push(sessionTag(who.data.session));
    this.ctx.acceptWebSocket(pair[1], tags);
    const info: SocketInfo = {
      identity: who.data.identity,
      key: who.data.key,
      scoped: who.data.scoped === "1",
      ends: who.data.ends,
    };
    pair[1].serializeAttachment(info);
    // The socket lives as long as its session: the alarm closes it at the session's end.
    if (info.ends !== undefined) await this.alarms.armAt(info.ends);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * Before a job-stream subscription of a caller who sees only some of the
   * job's hosts: the hosts whose events that socket (`key`) may receive.
   */
  async restrict(raw: unknown): Promise<void> {
    const r = Restriction.parse(raw);
    await this.ctx.storage.put(`vis:${r.key}`, r.hosts);
    this.visible.set(r.key, new Set(r.hosts));
  }

  /** Closes every dashboard socket of an identity (disabled, demoted, revoked); returns how many. */
  async closeIdentity(identityId: string, reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(identityTag(Id.parse(identityId)));
    for (const ws of sockets) this.end(ws, reason.slice(0, 100));
    return sockets.length;
  }

  /** Closes the dashboard sockets opened under one sign-in session (logout, reuse, token deleted); returns how many. */
  async closeSession(sessionId: string, reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(sessionTag(Id.parse(sessionId)));
    for (const ws of sockets) this.end(ws, reason.slice(0, 100));
    return sockets.length;
  }

  /**
   * Closes the non-admin job streams (of one identity, or of everyone) with
   * `VISIBILITY_CHANGED_CLOSE` after a group-membership change: their visible
   * hosts were computed when they opened. Returns how many closed.
   */
  async closeScoped(identityId: string | null, reason: string): Promise<number> {
    const sockets =
      identityId === null ? this.ctx.getWebSockets() : this.ctx.getWebSockets(identityTag(Id.parse(identityId)));
    let closed = 0;
    for (const ws of sockets) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      if (!info?.scoped) continue;
      this.end(ws, reason.slice(0, 100), VISIBILITY_CHANGED_CLOSE);
      closed++;
    }
    return closed;
  }

  /** In-memory copy of the restrictions (reloaded from storage after hibernation). */
  private readonly visible = new Map<string, Set<string>>();

  private async visibleHosts(key: string): Promise<Set<string>> {
    let set = this.visible.get(key);
    if (!set) {
      set = new Set((await this.ctx.storage.get<string[]>(`vis:${key}`)) ?? []);
      this.visible.set(key, set);
    }
    return set;
  }

  private end(ws: WebSocket, reason: string, code = POLICY_CLOSE): void {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
    if (info?.key) void this.forget(info.key);
  }

  private async forget(key: string): Promise<void> {
    this.visible.delete(key);
    await this.ctx.storage.delete(`vis:${key}`);
  }

  /**
   * Sends events to their subscribers; returns how many frames were written.
   * With no dashboard socket open (the usual case during a large job) there is
   * nothing to send, and the events are dropped unparsed.
   */
  async publish(raw: unknown): Promise<number> {
    if (this.ctx.getWebSockets().length === 0) return 0;
    const events = Events.parse(raw);
    let sent = 0;
    const send = (targets: WebSocket[], frame: string) => {
      for (const ws of targets) {
        try {
          ws.send(frame);
          sent++;
        } catch {
          // A socket closing concurrently is not an error for the publisher.
        }
      }
    };
    for (const event of events) {
      const frame = JSON.stringify(event);
      // A job's own sockets: a restricted one gets only its visible hosts' events (finding 1).
      const own: WebSocket[] = [];
      for (const ws of this.ctx.getWebSockets(event.job_id)) {
        const info = ws.deserializeAttachment() as SocketInfo | null;
        if (info?.key && event.host_id !== "" && !(await this.visibleHosts(info.key)).has(event.host_id)) continue;
        own.push(ws);
      }
      send(own, frame);
      if (event.event_type === "output") continue;
      send(this.ctx.getWebSockets(ALL_JOBS), frame);
      const redacted = this.ctx.getWebSockets(ALL_JOBS_REDACTED);
      if (redacted.length > 0) {
        const { output: _o, error_message: _e, ...rest } = event;
        send(redacted, JSON.stringify(rest));
      }
    }
    return sent;
  }

  /** How many sockets listen, per topic (tests, diagnostics). */
  async subscribers(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const ws of this.ctx.getWebSockets()) {
      for (const tag of this.ctx.getTags(ws))
        if (!tag.startsWith("id:") && !tag.startsWith("sess:")) out[tag] = (out[tag] ?? 0) + 1;
    }
    return out;
  }

  /** Closes the sockets whose session has ended, then arms for the next one to end. */
  override async alarm(): Promise<void> {
    this.alarms.fired();
    const now = Date.now();
    const next: number[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const ends = (ws.deserializeAttachment() as SocketInfo | null)?.ends;
      if (ends === undefined) continue;
      if (ends <= now) this.end(ws, SESSION_EXPIRED);
      else next.push(ends);
    }
    await this.alarms.armEarliest(next, now);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    // The stream is server → client only; a text "ping" gets a "pong" for liveness checks.
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
    if (info?.key) await this.forget(info.key);
  }
}
