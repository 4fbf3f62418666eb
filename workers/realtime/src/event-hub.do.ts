import { DurableObject } from "cloudflare:workers";

/**
 * Fan-out of fleet events to dashboard WebSockets (`/api/v1/ws/jobs`). One
 * instance per deployment; sockets use the hibernation API so idle dashboards
 * cost nothing.
 */
export class EventHub extends DurableObject<Env> {
  /** Accepts an already-authorised dashboard socket (the API worker checks Origin and ticket first). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const pair = new WebSocketPair();
    const url = new URL(request.url);
    const topic = url.searchParams.get("job") ?? "*";
    this.ctx.acceptWebSocket(pair[1], [topic]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Sends one event to every subscriber of all jobs and of `jobId`. Returns how many sockets got it. */
  async publish(jobId: string, event: unknown): Promise<number> {
    const frame = JSON.stringify(event);
    let sent = 0;
    const targets = new Set([...this.ctx.getWebSockets("*"), ...this.ctx.getWebSockets(jobId)]);
    for (const ws of targets) {
      try {
        ws.send(frame);
        sent++;
      } catch {
        // A socket closing concurrently is not an error for the publisher.
      }
    }
    return sent;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    // The stream is server → client only; a text "ping" gets a "pong" for liveness checks.
    if (message === "ping") ws.send("pong");
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    ws.close(code, reason);
  }
}
