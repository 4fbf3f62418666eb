import type { PingOutcome } from "./host-channel.types";

interface PendingPing {
  sentAt: number;
  deadline: number;
  timeoutS: number;
  resolve: (p: PingOutcome) => void;
}

/** What a pong reports besides its round trip (from the socket's attachment). */
export interface PongFacts {
  version: string | undefined;
  hostname: string | undefined;
  certNotAfter: number;
}

/** Pings sent to the agent and waiting for their `pong` (or their deadline, driven by the alarm). */
export class PingRequests {
  private readonly pending = new Map<string, PendingPing>();

  /** Registers a ping; resolves on the pong, the deadline or when the connection closes. */
  open(nonce: string, timeoutMs: number): Promise<PingOutcome> {
    const sentAt = Date.now();
    return new Promise((resolve) => {
      this.pending.set(nonce, {
        sentAt,
        deadline: sentAt + timeoutMs,
        timeoutS: Math.ceil(timeoutMs / 1000),
        resolve,
      });
    });
  }

  answer(nonce: string, facts: PongFacts, now: number): void {
    const p = this.pending.get(nonce);
    if (!p) return;
    this.pending.delete(nonce);
    p.resolve({
      ok: true,
      rtt_ms: now - p.sentAt,
      version: facts.version,
      hostname: facts.hostname,
      cert_not_after: facts.certNotAfter,
    });
  }

  expire(now: number): void {
    for (const [nonce, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(nonce);
        p.resolve({ ok: false, rtt_ms: now - p.sentAt, error: `read timeout after ${p.timeoutS}s` });
      }
    }
  }

  settle(error: string, zeroRtt = false): void {
    for (const [nonce, p] of this.pending) {
      this.pending.delete(nonce);
      p.resolve({ ok: false, rtt_ms: zeroRtt ? 0 : Date.now() - p.sentAt, error });
    }
  }

  deadlines(): number[] {
    return [...this.pending.values()].map((p) => p.deadline);
  }
}
