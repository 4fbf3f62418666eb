import { UsageError } from "../exit-codes";

/** A non-negative integer flag value. */
export function intArg(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer`);
  return Number(value);
}

/** `30s`, `15m`, `2h`, `7d` or plain seconds → seconds. */
export function durationArg(value: string, flag: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  if (!m) throw new UsageError(`${flag} must be a duration like 90, 30s, 15m, 2h or 7d`);
  const mult = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? ""] ?? 1;
  return Number(m[1]) * mult;
}

/** Repeated `k=v` values (e.g. `-f k=v`) as an object. */
export function keyValues(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} takes key=value, got "${v}"`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/** A flag value that must be one of `options` (citty's enum type loses required-ness in its types). */
export function oneOf<T extends string>(value: string, options: readonly T[], flag: string): T;
export function oneOf<T extends string>(value: string | undefined, options: readonly T[], flag: string): T | undefined;
export function oneOf<T extends string>(value: string | undefined, options: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((options as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} is one of: ${options.join(", ")}`);
}
