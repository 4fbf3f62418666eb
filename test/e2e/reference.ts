import { existsSync } from "node:fs";
import path from "node:path";

/** The repository root (this file is test/e2e/reference.ts). */
const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Reference material (upstream specs) is never part of the project: it sits
 * beside the repository, in `../shared/` (a fresh clone has it there in CI).
 * Returns the file's path when present; otherwise says in the test output which
 * check is skipped and why, and returns undefined. `override` (an environment
 * variable's value) wins when set.
 */
export function referenceFile(relative: string, check: string, override?: string): string | undefined {
  const file = override ?? path.resolve(ROOT, "..", "shared", relative);
  if (existsSync(file)) return file;
  console.warn(
    `[reference] ${check}: skipped — ${file} not found (expected ../shared/${relative} beside the repository)`,
  );
  return undefined;
}
