type Level = "debug" | "info" | "warn" | "error";

/** One structured JSON log line. Callers must never pass secrets in `fields`. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** `log`, unless `level` is below the configured LOG_LEVEL (default info). */
export function logAt(
  configured: string | undefined,
  level: Level,
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  if (RANK[level] >= (RANK[(configured ?? "info") as Level] ?? 1)) log(level, msg, fields);
}
