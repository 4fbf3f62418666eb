/** Runs `fn` over `items`, at most `limit` at a time (RPC fan-out without unbounded subrequests). */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += limit) {
    await Promise.all(items.slice(i, i + limit).map(fn));
  }
}
