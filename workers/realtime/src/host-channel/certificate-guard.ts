import { certificateStillValid, logAt } from "@fleetgate/domain";
import type { DomainAccess } from "../shared/domain-access";
import type { AgentSockets } from "./agent-socket";
import type { Attachment } from "./host-channel.types";

/** Close code of a socket whose certificate was revoked, superseded or expired. */
const CERT_ENDED = 4003;

/**
 * Keeps the agent's connections tied to a live certificate: a socket is closed
 * at its certificate's notAfter, when D1 no longer holds the certificate active,
 * or when the API reports it revoked or superseded.
 */
export class CertificateGuard {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly domain: DomainAccess,
    private readonly sockets: AgentSockets,
    private readonly logLevel: string | undefined,
  ) {}

  /**
   * Closes the live socket when its certificate is no longer active in D1 or
   * past its notAfter. A D1 error keeps the socket (the next check retries).
   * `validCertIds`: the host's valid certificates as the dispatching JobRun
   * read them from D1 (once per wave); without it, D1 is read here.
   * Returns the live socket after the check (undefined when none is left).
   */
  async verifyLive(now: number, validCertIds?: readonly string[]): Promise<WebSocket | undefined> {
    const ws = this.sockets.live();
    if (!ws) return undefined;
    const a = this.sockets.attachment(ws);
    if (a.certNotAfter > 0 && a.certNotAfter <= now) {
      this.closeWhere((_, s) => s === ws, "certificate expired");
      return undefined;
    }
    if (!a.certId) return ws;
    if (validCertIds) {
      if (validCertIds.includes(a.certId)) return ws;
      this.closeWhere((x) => x.certId === a.certId, "certificate no longer valid");
      return undefined;
    }
    try {
      if (!(await certificateStillValid(await this.domain.context(), a.certId, now))) {
        this.closeWhere((x) => x.certId === a.certId, "certificate no longer valid");
      }
    } catch (err) {
      logAt(this.logLevel, "warn", "certificate recheck failed", { error: String(err) });
    }
    // D1 was awaited: the connection may have changed meanwhile.
    return this.sockets.live();
  }

  /**
   * Before commands are re-delivered on hello: is this (not yet live) socket's
   * certificate still active in D1 and before its notAfter? If not, the
   * socket is closed and false returned. A D1 error keeps it, as verifyLive does.
   */
  async verifySocket(ws: WebSocket, now: number): Promise<boolean> {
    const a = this.sockets.attachment(ws);
    if (a.certNotAfter > 0 && a.certNotAfter <= now) {
      this.closeWhere((_, s) => s === ws, "certificate expired");
      return false;
    }
    if (!a.certId) return true;
    try {
      if (await certificateStillValid(await this.domain.context(), a.certId, now)) return true;
    } catch (err) {
      logAt(this.logLevel, "warn", "certificate recheck failed", { error: String(err) });
      return true;
    }
    this.closeWhere((x) => x.certId === a.certId, "certificate no longer valid");
    return false;
  }

  /** Closes the sockets authenticated by one of `certIds` (or by an unrecorded certificate). */
  endCertificates(certIds: string[], reason: string): number {
    return this.closeWhere((a) => a.certId === undefined || certIds.includes(a.certId), reason);
  }

  /** When the alarm must fire to close a socket at its certificate's notAfter. */
  wakeTimes(now: number): number[] {
    const out: number[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const notAfter = this.sockets.attachment(ws).certNotAfter;
      if (notAfter > now) out.push(notAfter);
    }
    return out;
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
    if (n > 0) logAt(this.logLevel, "info", "agent connection closed", { reason, sockets: n });
    return n;
  }
}
