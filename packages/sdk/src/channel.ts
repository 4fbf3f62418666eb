/** An unbounded async queue: producers `push`, one consumer awaits `next()`. */
export class Channel<T> {
  private readonly items: T[] = [];
  private waiter: ((v: IteratorResult<T>) => void) | undefined;
  private ended = false;

  push(item: T): void {
    if (this.ended) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  /** No more items: a waiting or later `next()` sees the end once the queue is drained. */
  end(): void {
    this.ended = true;
    const w = this.waiter;
    if (w && this.items.length === 0) {
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
