import { DurableObject } from "cloudflare:workers";
import { StreamEvent } from "@fleetgate/contract";
import { z } from "zod";

/** Topic of the all-jobs stream; a per-job stream's topic is the job id. */
export const ALL_JOBS = "*";
/** The all-jobs stream of a non-admin: every job's progress, but no host output or error text. */
export const ALL_JOBS_REDACTED = "*redacted";
const Topic = z.union([z.literal(ALL_JOBS), z.literal(ALL_JOBS_REDACTED), z.uuid()]);
const Events = z.array(StreamEvent).max(1000);

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
  /** Accepts an already-authorised dashboard socket (the API worker checks Origin and ticket first). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const topic = Topic.safeParse(new URL(request.url).searchParams.get("topic") ?? ALL_JOBS);
    if (!topic.success) return new Response("bad topic", { status: 400 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [topic.data]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Sends events to their subscribers; returns how many frames were written. */
  async publish(raw: unknown): Promise<number> {
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
      send(this.ctx.getWebSockets(event.job_id), frame);
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
      for (const tag of this.ctx.getTags(ws)) out[tag] = (out[tag] ?? 0) + 1;
    }
    return out;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    // The stream is server → client only; a text "ping" gets a "pong" for liveness checks.
    if (message === "ping") ws.send("pong");
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }
}
