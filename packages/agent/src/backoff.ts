/**
 * Exponential backoff with full jitter: the n-th delay is uniform in
 * [0, min(cap, base · 2^n)) ("Exponential Backoff And Jitter", AWS Architecture Blog),
 * so a fleet that lost the server at once does not reconnect in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 1000,
    private readonly capMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay, in ms. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** Back to the first step (after a connection that stayed up). */
  reset(): void {
    this.attempt = 0;
  }
}
