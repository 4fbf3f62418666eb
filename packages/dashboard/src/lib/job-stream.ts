import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { api, ok } from "../api/client";

/** A frame of /api/v1/ws/jobs (linux-patch-manager.md §6, plus output chunks on a job's own stream). */
export const StreamFrame = z.union([
  z.object({
    event_type: z.literal("output"),
    job_id: z.string(),
    host_id: z.string(),
    stream: z.enum(["stdout", "stderr"]),
    seq: z.number().int(),
    data: z.string(),
  }),
  z.object({
    /** `ring`: a ring of a health-gated rollout changed state (`ring`, `status`, `rollback_job_id`). */
    event_type: z.enum(["host", "job", "ring"]).optional(),
    job_id: z.string(),
    host_id: z.string(),
    status: z.string(),
    output: z.string().optional(),
    error_message: z.string().optional(),
    succeeded_count: z.number().optional(),
    failed_count: z.number().optional(),
    host_count: z.number().optional(),
    ring: z.number().int().optional(),
    rollback_job_id: z.string().optional(),
  }),
]);
export type StreamFrame = z.infer<typeof StreamFrame>;
export type StreamStatus = "connecting" | "live" | "reconnecting";

/** Delay before reconnect attempt n: exponential from 1 s, capped at 30 s, with ±50 % jitter. */
export function backoff(n: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** n);
  return Math.round(base * (0.5 + random()));
}

/**
 * Follows the job stream over a WebSocket (a fresh single-use ticket per connect). Every
 * (re)open calls `onOpen`, where the caller refetches state from the API: events sent while
 * the socket was down are thereby never lost, only folded into the refetched state.
 */
export function useJobStream(opts: {
  jobId?: string;
  enabled?: boolean;
  onFrame: (f: StreamFrame) => void;
  onOpen: () => void;
}): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const cb = useRef(opts);
  cb.current = opts;
  const enabled = opts.enabled ?? true;
  useEffect(() => {
    if (!enabled) return;
    let ws: WebSocket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;
    const retry = () => {
      if (stopped) return;
      setStatus("reconnecting");
      timer = setTimeout(connect, backoff(attempt++));
    };
    async function connect() {
      let ticket: string;
      try {
        ticket = (await ok(api.POST("/ws/ticket"))).ticket;
      } catch {
        retry();
        return;
      }
      if (stopped) return;
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      const q = new URLSearchParams({ ticket });
      if (cb.current.jobId) q.set("job", cb.current.jobId);
      ws = new WebSocket(`${proto}//${location.host}/api/v1/ws/jobs?${q}`);
      ws.onopen = () => {
        attempt = 0;
        setStatus("live");
        cb.current.onOpen();
      };
      ws.onmessage = (e) => {
        if (typeof e.data !== "string" || e.data === "pong") return;
        let raw: unknown;
        try {
          raw = JSON.parse(e.data);
        } catch {
          return;
        }
        const f = StreamFrame.safeParse(raw);
        if (f.success) cb.current.onFrame(f.data);
      };
      ws.onclose = () => retry();
    }
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
    };
  }, [enabled]);
  return status;
}

/** Output chunks of running hosts, de-duplicated by sequence number. */
export class ChunkBuffer {
  private readonly chunks = new Map<string, Map<number, string>>();

  add(hostId: string, stream: string, seq: number, data: string): void {
    const key = `${hostId}/${stream}`;
    let m = this.chunks.get(key);
    if (!m) {
      m = new Map();
      this.chunks.set(key, m);
    }
    m.set(seq, data);
  }

  text(hostId: string, stream: "stdout" | "stderr"): string {
    const m = this.chunks.get(`${hostId}/${stream}`);
    if (!m) return "";
    return [...m.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, d]) => d)
      .join("");
  }

  /** True when the first chunk seen of stdout is not the stream's first (seq 0): earlier output was missed. */
  missedStart(hostId: string): boolean {
    const m = this.chunks.get(`${hostId}/stdout`);
    return m !== undefined && m.size > 0 && !m.has(0);
  }

  /** Sequence numbers missing between the first and last chunk received (gaps to show). */
  gaps(hostId: string, stream: "stdout" | "stderr"): number {
    const m = this.chunks.get(`${hostId}/${stream}`);
    if (!m || m.size === 0) return 0;
    const seqs = [...m.keys()];
    return Math.max(...seqs) - Math.min(...seqs) + 1 - m.size;
  }
}
