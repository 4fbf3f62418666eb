/**
 * Debian version ordering, as dpkg implements it (deb-version(7); dpkg lib/dpkg/version.c,
 * `verrevcmp` and `dpkg_version_compare`). `[epoch:]upstream[-revision]`: epochs compare as
 * integers, then upstream and revision compare as alternating non-digit / digit runs, where in the
 * non-digit runs `~` sorts before everything (even the end of the string), letters before
 * non-letters.
 */
export type DpkgVersion = { epoch: number; upstream: string; revision: string };

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]*$/;

/** Parses a Debian version; returns null when dpkg would reject it or warn about it. */
export function parseDpkgVersion(input: string): DpkgVersion | null {
  const text = input.trim();
  if (text === "" || /\s/.test(text)) return null;
  let epoch = 0;
  let rest = text;
  const colon = text.indexOf(":");
  if (colon >= 0) {
    const epochText = text.slice(0, colon);
    if (!/^[0-9]+$/.test(epochText)) return null;
    epoch = Number(epochText);
    if (!Number.isSafeInteger(epoch) || epoch > 2147483647) return null;
    rest = text.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf("-");
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : "";
  if (hyphen >= 0 && revision === "") return null;
  if (!UPSTREAM.test(upstream)) return null;
  // A colon inside the upstream part is only legal with an explicit epoch.
  if (colon < 0 && upstream.includes(":")) return null;
  if (!REVISION.test(revision)) return null;
  return { epoch, upstream, revision };
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isAlpha(c: string): boolean {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z");
}

function order(c: string): number {
  if (c === "") return 0;
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's `verrevcmp` on one part (upstream or revision). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charAt(i))) || (j < b.length && !isDigit(b.charAt(j)))) {
      const ac = order(a.charAt(i));
      const bc = order(b.charAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charAt(i) === "0") i++;
    while (b.charAt(j) === "0") j++;
    while (isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charAt(i))) return 1;
    if (isDigit(b.charAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** Compares two parsed Debian versions: negative, zero or positive. */
export function compareParsedDpkgVersions(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const up = verrevcmp(a.upstream, b.upstream);
  if (up !== 0) return Math.sign(up);
  return Math.sign(verrevcmp(a.revision, b.revision));
}

/** Compares two Debian version strings (-1, 0, 1); throws on a version dpkg would reject. */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseDpkgVersion(a);
  const pb = parseDpkgVersion(b);
  if (!pa) throw new RangeError(`invalid Debian version: ${JSON.stringify(a)}`);
  if (!pb) throw new RangeError(`invalid Debian version: ${JSON.stringify(b)}`);
  return Math.sign(compareParsedDpkgVersions(pa, pb)) as -1 | 0 | 1;
}
