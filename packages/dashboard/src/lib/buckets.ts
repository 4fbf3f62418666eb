/** Pure helpers for charts (unit-tested). */

const WEEK = 7 * 86_400_000;

/** Counts dates per week for the next `weeks` weeks from `now` (earlier dates are dropped). */
export function perWeek(dates: string[], now: number, weeks: number): { start: number[]; counts: number[] } {
  const start = Array.from({ length: weeks }, (_, i) => now + i * WEEK);
  const counts = new Array<number>(weeks).fill(0);
  for (const d of dates) {
    const t = Date.parse(d);
    if (Number.isNaN(t) || t < now) continue;
    const i = Math.floor((t - now) / WEEK);
    if (i < weeks) counts[i] = (counts[i] ?? 0) + 1;
  }
  return { start, counts };
}

/** Buckets ages in days into the given upper bounds (last bucket open-ended). */
export function histogram(ages: number[], bounds: number[]): number[] {
  const out = new Array<number>(bounds.length + 1).fill(0);
  for (const a of ages) {
    let i = bounds.findIndex((b) => a <= b);
    if (i === -1) i = bounds.length;
    out[i] = (out[i] ?? 0) + 1;
  }
  return out;
}

/** Cumulative count of completions over time: one step per completion (seconds on x). */
export function completedOverTime(completedAt: (string | null | undefined)[]): { x: number[]; y: number[] } {
  const times = completedAt
    .map((d) => (d ? Date.parse(d) : Number.NaN))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const x: number[] = [];
  const y: number[] = [];
  times.forEach((t, i) => {
    const sec = Math.floor(t / 1000);
    // Completions in the same second are one step (x must be strictly increasing).
    if (x[x.length - 1] === sec) y[y.length - 1] = i + 1;
    else {
      x.push(sec);
      y.push(i + 1);
    }
  });
  return { x, y };
}
