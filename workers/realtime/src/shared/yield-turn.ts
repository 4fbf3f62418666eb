/**
 * Gives the runtime one turn of its event loop: a timer, not a microtask, so
 * I/O that already arrived (e.g. the agent's result frame right behind its ack)
 * is handled before the caller goes on.
 */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
