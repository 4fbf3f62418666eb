/**
 * Runs `fn` once for a burst of callers: a call joins the round that has not
 * started yet, or opens one that starts when the running round ends. Every
 * caller therefore returns (or throws) with a round that began after its call —
 * whatever it changed before calling was seen — while N calls arriving during
 * one round cost two rounds, not N.
 */
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /**
   * `gather`: awaited before a round starts, while later calls still join it (e.g. one turn of
   * the event loop, so that calls arriving in separate events close together share one round).
   */
  constructor(
    private readonly fn: () => Promise<void>,
    private readonly gather?: () => Promise<void>,
  ) {}

  run(): Promise<void> {
    if (this.next) return this.next;
    const before = this.running ?? Promise.resolve();
    const round: Promise<void> = before
      .catch(() => undefined)
      .then(async () => {
        if (this.gather) await this.gather();
        this.next = undefined;
        this.running = round;
        try {
          await this.fn();
        } finally {
          if (this.running === round) this.running = undefined;
        }
      });
    this.next = round;
    return round;
  }
}
