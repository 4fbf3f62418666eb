import {
  type AgentMessage,
  type EnqueueOutcome,
  type HostCommand,
  HostReport,
  type OutputChunk,
} from "@fleetgate/contract";
import { logAt } from "@fleetgate/domain";
import type { EventPublisher } from "../publisher";
import type { DomainAccess } from "../shared/domain-access";
import { DurableOutbox } from "../shared/durable-outbox";
import type { AgentSockets } from "./agent-socket";
import { CommandQueue } from "./command-queue";
import type { CommandRow } from "./host-channel.types";

/**
 * The host's commands from enqueue to result: the durable queue, delivery over the live
 * socket (and re-delivery on hello), and every ack/result/expiry forwarded to the command's
 * JobRun through a durable outbox — a result is never lost even if this object or the
 * JobRun is reset in between. Output chunks are streamed to the event hub as they come.
 */
export class CommandDelivery {
  private readonly queue: CommandQueue;
  private readonly outbox: DurableOutbox<typeof HostReport>;

  constructor(
    sql: SqlStorage,
    private readonly domain: DomainAccess,
    private readonly sockets: AgentSockets,
    private readonly publisher: EventPublisher,
    private readonly logLevel: string | undefined,
    /** Arms the channel's alarm (queued-command expiry, outbox retries). */
    private readonly scheduleAlarm: () => Promise<void>,
  ) {
    this.queue = new CommandQueue(sql);
    this.outbox = new DurableOutbox(
      sql,
      HostReport,
      async (jobId, reports) => {
        await (await domain.context()).jobRuns.reportMany(jobId, reports);
      },
      (jobId, err) =>
        logAt(logLevel, "warn", "report to JobRun failed; will retry", { job_id: jobId, error: String(err) }),
    );
  }

  migrate(): void {
    this.queue.migrate();
    this.outbox.migrate();
  }

  /** Stores a command and sends it over `ws` when given (idempotent by command id). */
  async enqueue(cmd: HostCommand, ws: WebSocket | undefined, now: number): Promise<EnqueueOutcome> {
    if (!ws && cmd.require_online) return this.queue.get(cmd.command_id) ? this.resend(cmd, ws, now) : "offline";
    // A new command is one statement; a known id (re-enqueued after a JobRun reset) is left as it is.
    const row = this.queue.insertNew(cmd, ws ? "sent" : "queued", now);
    if (!row) return this.resend(cmd, ws, now);
    if (ws) {
      this.sockets.sendRun(ws, row, cmd.args);
      return "sent";
    }
    await this.scheduleAlarm();
    return "queued";
  }

  /** A command enqueued again: sent again if it has no result yet and the host is connected. */
  private resend(cmd: HostCommand, ws: WebSocket | undefined, now: number): "duplicate" {
    const known = this.queue.get(cmd.command_id);
    if (known && ws && (known.state === "queued" || known.state === "sent" || known.state === "acked")) {
      this.sockets.sendRun(ws, known);
      if (known.state === "queued") this.queue.setState(known.command_id, "sent", now);
    }
    return "duplicate";
  }

  /** Stops a command: dropped from the queue if not yet delivered, else the agent is told to cancel it. */
  cancel(id: string, ws: WebSocket | undefined, now: number): void {
    const c = this.queue.get(id);
    if (!c || c.state === "done" || c.state === "expired" || c.state === "cancelled") return;
    if (ws && c.state !== "queued") this.sockets.send(ws, { type: "cancel", command_id: id });
    // An acknowledged command on a live connection keeps its state: its result (error
    // "cancelled") is still forwarded. Anything else is never (re-)delivered as a run again;
    // the next hello repeats the cancel in case the agent did receive it.
    if (c.state !== "acked" || !ws) this.queue.setState(id, "cancelled", now);
  }

  /** Whether any command would be re-delivered on hello (sent to the agent again). */
  hasOpen(): boolean {
    return this.queue.hasOpen();
  }

  /**
   * After hello: re-delivers every command without a result (docs/agent-protocol.md §4.6; the
   * agent answers a command it already has with `ack duplicate` + its stored result, never a
   * second run) and repeats the cancel of commands cancelled while the host was away.
   * Returns how many commands were open.
   */
  redeliver(ws: WebSocket, now: number): number {
    const { open, cancelled } = this.queue.forHello(now);
    for (const c of open) {
      if (c.state === "queued" && c.expires_at <= now) {
        this.expire(c, now);
        continue;
      }
      this.sockets.sendRun(ws, c);
      if (c.state === "queued") this.queue.setState(c.command_id, "sent", now);
    }
    for (const id of cancelled) this.sockets.send(ws, { type: "cancel", command_id: id });
    return open.length;
  }

  async onAck(commandId: string, now: number): Promise<void> {
    // Unknown, or acknowledged/ended already: nothing to report.
    const c = this.queue.advance(commandId, ["queued", "sent"], "acked", now);
    if (!c) return;
    this.outbox.add(c.job_id, { type: "ack", command_id: commandId, host_id: c.host_id, at: now });
    await this.drain();
  }

  async onResult(result: Extract<AgentMessage, { type: "result" }>, now: number): Promise<void> {
    // Unknown or already reported (done, expired): idempotent.
    const c = this.queue.advance(result.command_id, ["queued", "sent", "acked", "cancelled"], "done", now);
    if (!c) return;
    this.outbox.add(c.job_id, { type: "result", command_id: c.command_id, host_id: c.host_id, at: now, result });
    await this.drain();
  }

  /**
   * The agent is about to reboot for a command (docs/patching.md "Reboots"): the ack goes to the
   * JobRun first, then the JobRun stores the host as rebooting; only then may the agent reboot.
   * Unknown/ended commands and a JobRun that cannot be reached answer `confirmed: false`.
   */
  async onRebooting(
    frame: Extract<AgentMessage, { type: "rebooting" }>,
    now: number,
    answer: (confirmed: boolean) => void,
  ): Promise<void> {
    const c = this.queue.get(frame.command_id);
    if (!c || (c.state !== "sent" && c.state !== "acked")) return answer(false);
    await this.drain();
    let confirmed = false;
    try {
      confirmed = await (await this.domain.context()).jobRuns.rebooting(c.job_id, {
        command_id: c.command_id,
        host_id: c.host_id,
        at: now,
        boot_id: frame.boot_id,
        kernel: frame.kernel,
      });
    } catch (err) {
      logAt(this.logLevel, "warn", "telling the JobRun about a reboot failed; the agent does not reboot", {
        command_id: c.command_id,
        error: String(err),
      });
    }
    answer(confirmed);
  }

  onOutput(frame: Extract<AgentMessage, { type: "output" }>): void {
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

  /** The alarm's share: expires queued commands past their deadline and drops ended ones past retention. */
  expireDue(now: number): void {
    for (const c of this.queue.expiredQueued(now)) this.expire(c, now);
    this.queue.purge(now);
  }

  /** Delivers the outbox; on a failure the alarm retries (backoff is in the outbox rows). */
  async drain(): Promise<void> {
    if (!(await this.outbox.drain())) await this.scheduleAlarm();
  }

  /** When the alarm must fire for the commands: queue deadlines and the next outbox retry. */
  wakeTimes(): number[] {
    const times = this.queue.wakeTimes();
    const outbox = this.outbox.nextAt();
    if (outbox !== null) times.push(outbox);
    return times;
  }

  counts(): { commands: ReturnType<CommandQueue["countsByState"]>; outbox: number } {
    return { commands: this.queue.countsByState(), outbox: this.outbox.size() };
  }

  private expire(c: CommandRow, now: number): void {
    this.queue.setState(c.command_id, "expired", now);
    this.outbox.add(c.job_id, { type: "expired", command_id: c.command_id, host_id: c.host_id, at: now });
    logAt(this.logLevel, "info", `REQID=${c.reqid} command expired in the queue of an offline host`, {
      reqid: c.reqid,
      command_id: c.command_id,
      host_id: c.host_id,
    });
  }
}
