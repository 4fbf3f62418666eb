/**
 * The one alarm of a Durable Object, shared by everything in it that needs a
 * wake-up (deadlines, retries, waiters, retention). `armAt` never postpones a
 * pending alarm — under a steady stream of events a postponed alarm would never
 * fire — and caches the pending time so arming costs one storage read per
 * instance. Call `fired()` first thing in `alarm()`.
 */
export class AlarmScheduler {
  private pending: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The alarm that was pending has fired; none is set until armed again. */
  fired(): void {
    this.pending = null;
  }

  /** Sets the alarm to `at` unless it is already due sooner. */
  async armAt(at: number): Promise<void> {
    this.pending ??= await this.storage.getAlarm();
    if (this.pending === null || this.pending > at) {
      await this.storage.setAlarm(at);
      this.pending = at;
    }
  }

  /** Arms for the earliest candidate (never in the past); nothing when there is none. */
  async armEarliest(candidates: readonly number[], now = Date.now()): Promise<void> {
    if (candidates.length === 0) return;
    await this.armAt(Math.max(now, Math.min(...candidates)));
  }

  /** Drops the alarm (the object is being reset). */
  async clear(): Promise<void> {
    await this.storage.deleteAlarm();
    this.pending = null;
  }
}
