/**
 * Gives the runtime one turn of its event loop: a timer, not a microtask, so
 * I/O that arrived meanwhile (agents' frames, other objects' RPCs) is handled
 * before the caller goes on. A long run of in-process RPCs otherwise keeps
 * every completion ready at once and starves that I/O until the run ends.
 */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
