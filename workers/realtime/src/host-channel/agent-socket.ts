import type { ServerMessage } from "@fleetgate/contract";
import { logAt } from "@fleetgate/domain";
import type { Attachment, CommandRow } from "./host-channel.types";

/**
 * The agent's hibernating WebSocket(s) of one HostChannel: which one is live
 * (open and past hello), what each carries across hibernation, and sending.
 */
export class AgentSockets {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly logLevel: string | undefined,
    private readonly fallback: () => Pick<Attachment, "hostId" | "hostName">,
  ) {}

  /** The open socket whose agent said hello, if any. */
  live(): WebSocket | undefined {
    return this.ctx
      .getWebSockets()
      .find((ws) => ws.readyState === WebSocket.OPEN && this.attachment(ws).hello === true);
  }

  /** Open sockets other than `ws`. */
  othersOpen(ws: WebSocket): WebSocket[] {
    return this.ctx.getWebSockets().filter((s) => s !== ws && s.readyState === WebSocket.OPEN);
  }

  /** Closes every socket (replaced by a new connection, or the host was removed). */
  closeAll(code: number, reason: string, markReplaced = false): void {
    for (const old of this.ctx.getWebSockets()) {
      if (markReplaced) old.serializeAttachment({ ...this.attachment(old), hello: false });
      try {
        old.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  attachment(ws: WebSocket): Attachment {
    return (
      (ws.deserializeAttachment() as Attachment | null) ?? {
        ...this.fallback(),
        certNotAfter: 0,
        connectedAt: 0,
        hello: false,
      }
    );
  }

  send(ws: WebSocket, frame: ServerMessage): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch (err) {
      logAt(this.logLevel, "warn", "send to agent failed", { type: frame.type, error: String(err) });
    }
  }

  /** Sends a stored command as a `run` frame (`args`: the command's arguments when the caller holds them parsed). */
  sendRun(ws: WebSocket, c: CommandRow, args?: string[]): void {
    this.send(ws, {
      type: "run",
      command_id: c.command_id,
      reqid: c.reqid,
      script: c.script,
      args: args ?? (JSON.parse(c.args) as string[]),
      timeout_seconds: c.timeout_seconds,
      expires_at: c.expires_at,
    });
  }
}
