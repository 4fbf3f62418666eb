/**
 * The user code of a CLI device login (`POST /auth/device/code`) as people type it. The server
 * issues 8 letters shown as `BCDF-GHJK` and ignores case, spaces and dashes. Returns the code
 * in its display form, or undefined when what was typed cannot be a user code (so the page
 * never sends a request that must fail).
 */
export function normalizeUserCode(input: string): string | undefined {
  const letters = input.toUpperCase().replace(/[\s-]/g, "");
  if (!/^[A-Z]{8}$/.test(letters)) return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
