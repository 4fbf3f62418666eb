import { StreamEvent } from "@fleetgate/contract/realtime";
import { backoffDelay, sleep } from "./backoff";
import { Channel } from "./channel";
import { FleetgateError, NetworkError } from "./errors";
import type { SocketFactory } from "./socket";
import { type JobDetail, type JobHostRow, TERMINAL_HOST_STATUSES, TERMINAL_JOB_STATUSES } from "./types";

type Stream = "stdout" | "stderr";

/** What `fg.jobs.watch(id)` yields, in order, without gaps or repeats. */
export type WatchEvent =
  /** The job as it stood when the stream opened (first event). */
  | { type: "snapshot"; job: JobDetail }
  /** A host changed state. */
  | { type: "host"; host_id: string; host_name: string; status: string; error_message?: string }
  /** Output a host printed (chunks of a stream concatenate to the whole stream). */
  | { type: "output"; host_id: string; host_name: string; stream: Stream; data: string }
  /** The live stream dropped; it reconnects and catches up. */
  | { type: "reconnecting"; attempt: number; delay_ms: number }
  /** The job ended (last event); `job` is its final state with every host's exit code. */
  | { type: "done"; job: JobDetail };

export interface WatchDeps {
  wsUrl: (ticket: string) => string;
  origin: string;
  socket: SocketFactory;
  ticket: () => Promise<string>;
  getJob: () => Promise<JobDetail>;
  getOutput: (hostId: string, stream: Stream) => Promise<string>;
}

export interface WatchOptions {
  signal?: AbortSignal;
  /** Consecutive failed connection attempts before giving up (default 8). */
  maxReconnects?: number;
}

interface StreamState {
  /** Characters delivered so far. */
  length: number;
  /** The next chunk seq expected. */
  seq: number;
  /** The whole stream has been delivered (from the stored output); later chunks are repeats. */
  complete: boolean;
}

interface HostState {
  name: string;
  status: string;
  /** Chunks may have been missed (a reconnect or a seq gap): catch up from the stored output at the end. */
  gapped: boolean;
  out: Record<Stream, StreamState>;
}

type Frame = { kind: "open" } | { kind: "message"; text: string } | { kind: "close"; code: number; reason: string };

const newStream = (): StreamState => ({ length: 0, seq: 0, complete: false });

/**
 * Follows a job live over `/api/v1/ws/jobs?job=<id>` (a fresh single-use ticket per connection).
 * The stream is live-only, so after every (re)connect it reads the job and reconciles: state changes
 * missed while away are emitted, and the output of a host that may have lost chunks is completed
 * from the stored output once the host ends. Chunks are ordered by `seq`; repeats are dropped.
 */
export async function* watchJob(deps: WatchDeps, opts: WatchOptions = {}): AsyncGenerator<WatchEvent> {
  const hosts = new Map<string, HostState>();
  const maxReconnects = opts.maxReconnects ?? 8;
  let failures = 0;
  let first = true;

  const hostOf = (id: string, name = id): HostState => {
    let h = hosts.get(id);
    if (!h) {
      h = { name, status: "pending", gapped: false, out: { stdout: newStream(), stderr: newStream() } };
      hosts.set(id, h);
    }
    return h;
  };

  /** The undelivered tail of a finished host's stream from the stored output. */
  async function* complete(id: string, h: HostState, stream: Stream, stored: string | undefined) {
    const s = h.out[stream];
    if (s.complete) return;
    const text = stored ?? (await deps.getOutput(id, stream));
    s.complete = true;
    if (text.length > s.length) {
      const data = text.slice(s.length);
      s.length = text.length;
      yield { type: "output" as const, host_id: id, host_name: h.name, stream, data };
    }
  }

  async function* reconcile(job: JobDetail): AsyncGenerator<WatchEvent> {
    for (const row of job.hosts) {
      const h = hostOf(row.host_id, row.host_name);
      if (h.status === row.status) continue;
      h.status = row.status;
      if (TERMINAL_HOST_STATUSES.has(row.status)) yield* finish(row.host_id, h, row);
      yield hostEvent(row.host_id, h, row.error_message ?? undefined);
    }
  }

  async function* finish(id: string, h: HostState, row: JobHostRow | undefined, frameStdout?: string) {
    const stored = (stream: Stream) => (row && !row.output_truncated ? row[stream] : undefined);
    if (h.gapped || row) {
      yield* complete(id, h, "stdout", stored("stdout"));
      yield* complete(id, h, "stderr", stored("stderr"));
    } else if (frameStdout !== undefined) {
      yield* complete(id, h, "stdout", frameStdout);
    }
  }

  const hostEvent = (id: string, h: HostState, error?: string): WatchEvent => ({
    type: "host",
    host_id: id,
    host_name: h.name,
    status: h.status,
    ...(error ? { error_message: error } : {}),
  });

  while (true) {
    opts.signal?.throwIfAborted();
    const frames = new Channel<Frame>();
    let conn: { close(): void } | undefined;
    const onAbort = () => frames.push({ kind: "close", code: 4000, reason: "aborted" });
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const ticket = await deps.ticket();
      conn = deps.socket(deps.wsUrl(ticket), deps.origin, {
        open: () => frames.push({ kind: "open" }),
        message: (text) => frames.push({ kind: "message", text }),
        close: (code, reason) => {
          frames.push({ kind: "close", code, reason });
          frames.end();
        },
      });
      const opened = await frames.next();
      if (opened.done || opened.value.kind !== "open") throw new NetworkError("live stream refused", 0, "ws_closed");
      failures = 0;
      // Read the job only once the socket is open: every change after this read arrives on the socket.
      const job = await deps.getJob();
      if (first) {
        first = false;
        for (const row of job.hosts) hostOf(row.host_id, row.host_name);
        yield { type: "snapshot", job };
      }
      yield* reconcile(job);
      if (TERMINAL_JOB_STATUSES.has(job.job.status)) {
        yield { type: "done", job };
        return;
      }
      while (true) {
        const f = await frames.next();
        if (f.done || f.value.kind === "close") break;
        if (f.value.kind !== "message") continue;
        const ev = parseFrame(f.value.text);
        if (!ev) continue;
        if (ev.event_type === "output") {
          const h = hostOf(ev.host_id);
          const s = h.out[ev.stream];
          if (s.complete || ev.seq < s.seq) continue;
          if (ev.seq > s.seq) h.gapped = true;
          if (h.gapped) continue;
          s.seq++;
          s.length += ev.data.length;
          yield { type: "output", host_id: ev.host_id, host_name: h.name, stream: ev.stream, data: ev.data };
        } else if (ev.event_type === "host") {
          const h = hostOf(ev.host_id);
          if (h.status === ev.status) continue;
          h.status = ev.status;
          if (TERMINAL_HOST_STATUSES.has(ev.status)) yield* finish(ev.host_id, h, undefined, ev.output);
          yield hostEvent(ev.host_id, h, ev.error_message);
        } else if (ev.event_type === "job" && TERMINAL_JOB_STATUSES.has(ev.status)) {
          const final = await deps.getJob();
          yield* reconcile(final);
          for (const row of final.hosts) {
            const h = hostOf(row.host_id, row.host_name);
            if (TERMINAL_HOST_STATUSES.has(row.status)) yield* finish(row.host_id, h, row);
          }
          yield { type: "done", job: final };
          return;
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (err instanceof FleetgateError && err.status >= 400 && err.status < 500 && err.status !== 429) throw err;
      if (!(err instanceof FleetgateError)) throw err;
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
      conn?.close();
    }
    opts.signal?.throwIfAborted();
    // Anything running while we were away may have printed output we did not see.
    for (const h of hosts.values()) if (!TERMINAL_HOST_STATUSES.has(h.status)) h.gapped = true;
    failures++;
    if (failures > maxReconnects) throw new NetworkError("live stream lost; giving up", 0, "ws_closed");
    const delay = backoffDelay(failures, 500, 10_000);
    yield { type: "reconnecting", attempt: failures, delay_ms: delay };
    await sleep(delay, opts.signal);
  }
}

/** Parses a `job_update` / output frame with the contract's schema (linux-patch-manager.md §6); else undefined. */
export function parseFrame(text: string): StreamEvent | undefined {
  try {
    const r = StreamEvent.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
