/**
 * RPM version ordering, as rpm 4.18 implements it (rpmio/rpmvercmp.c `rpmvercmp`, lib/rpmver.c
 * `rpmverCmp`): segments of digits or letters, other characters separate; `~` sorts before
 * everything (pre-releases), `^` after the end but before any further segment (post-release
 * snapshots); a numeric segment is newer than an alphabetic one.
 */
export type RpmEvr = { epoch: number; version: string; release: string | null };

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isAlpha(c: string): boolean {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z");
}
function isAlnum(c: string): boolean {
  return isDigit(c) || isAlpha(c);
}

/** rpm's `rpmvercmp` on one version or release string (-1, 0, 1). */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charAt(i)) && a.charAt(i) !== "~" && a.charAt(i) !== "^") i++;
    while (j < b.length && !isAlnum(b.charAt(j)) && b.charAt(j) !== "~" && b.charAt(j) !== "^") j++;
    const ca = a.charAt(i);
    const cb = b.charAt(j);
    if (ca === "~" || cb === "~") {
      if (ca !== "~") return 1;
      if (cb !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (ca === "^" || cb === "^") {
      if (ca === "") return -1;
      if (cb === "") return 1;
      if (ca !== "^") return 1;
      if (cb !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (ca === "" || cb === "") break;
    const numeric = isDigit(ca);
    const take = numeric ? isDigit : isAlpha;
    let ei = i;
    while (ei < a.length && take(a.charAt(ei))) ei++;
    let ej = j;
    while (ej < b.length && take(b.charAt(ej))) ej++;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    // Segments of different types: the numeric one is newer.
    if (sb === "") return numeric ? 1 : -1;
    if (numeric) {
      sa = sa.replace(/^0+/, "");
      sb = sb.replace(/^0+/, "");
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  const endA = i >= a.length;
  const endB = j >= b.length;
  if (endA && endB) return 0;
  return endA ? -1 : 1;
}

/** Parses `[epoch:]version[-release]`; returns null for an empty version or a bad epoch. */
export function parseRpmEvr(input: string): RpmEvr | null {
  const text = input.trim();
  if (text === "" || /\s/.test(text)) return null;
  let epoch = 0;
  let rest = text;
  const colon = text.indexOf(":");
  if (colon >= 0) {
    const e = text.slice(0, colon);
    if (!/^[0-9]*$/.test(e)) return null;
    epoch = e === "" ? 0 : Number(e);
    rest = text.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf("-");
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : null;
  if (version === "") return null;
  return { epoch, version, release };
}

/**
 * Compares two EVRs as rpm 4.18's `rpm.vercmp` does: a missing release sorts like an empty one,
 * so `1.0-1` is newer than `1.0` (installed packages always carry a release).
 */
export function compareRpmEvr(a: RpmEvr, b: RpmEvr): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  return rpmvercmp(a.release ?? "", b.release ?? "");
}

/** Compares two `[epoch:]version[-release]` strings (-1, 0, 1); throws on an unparsable one. */
export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseRpmEvr(a);
  const pb = parseRpmEvr(b);
  if (!pa) throw new RangeError(`invalid RPM version: ${JSON.stringify(a)}`);
  if (!pb) throw new RangeError(`invalid RPM version: ${JSON.stringify(b)}`);
  return compareRpmEvr(pa, pb);
}
