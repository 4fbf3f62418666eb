/**
 * Runs `fn` over `items` with at most `limit` calls in flight (RPC fan-out
 * without unbounded subrequests). A sliding pool: the next item starts as soon
 * as any call ends, so one slow call never holds back the rest of its batch.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
