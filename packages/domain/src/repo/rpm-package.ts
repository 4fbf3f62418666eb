import { PackageFormatError } from "./deb-package";

/**
 * Reads an RPM package's header (lead, signature header, main header: the first bytes of the
 * file) into what yum/dnf repository metadata (primary.xml, filelists.xml) needs. Format: the
 * RPM file format (rpm.org docs "RPM file format", header structure of index entries + store).
 */
const LEAD = 96;
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01];

const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  summary: 1004,
  description: 1005,
  buildTime: 1006,
  buildHost: 1007,
  size: 1009,
  vendor: 1011,
  license: 1014,
  packager: 1015,
  group: 1016,
  url: 1020,
  arch: 1022,
  fileModes: 1030,
  fileFlags: 1037,
  sourceRpm: 1044,
  archiveSize: 1046,
  provideName: 1047,
  requireFlags: 1048,
  requireName: 1049,
  requireVersion: 1050,
  provideFlags: 1112,
  provideVersion: 1113,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
  longSize: 5009,
} as const;

type Value = string | string[] | number[] | bigint[];

interface Header {
  /** Bytes from the start of the file to the end of this header. */
  end: number;
  start: number;
  values: Map<number, Value>;
}

const decoder = new TextDecoder();

function readHeader(bytes: Uint8Array, start: number): Header {
  if (start + 16 > bytes.length) throw new PackageFormatError("RPM header truncated");
  if (!HEADER_MAGIC.every((b, i) => bytes[start + i] === b)) throw new PackageFormatError("bad RPM header magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(start + 8);
  const storeSize = view.getUint32(start + 12);
  const store = start + 16 + count * 16;
  const end = store + storeSize;
  if (count > 100_000 || end > bytes.length) throw new PackageFormatError("RPM header truncated");
  const values = new Map<number, Value>();
  const cString = (at: number): [string, number] => {
    let stop = at;
    while (stop < end && bytes[stop] !== 0) stop++;
    if (stop >= end) throw new PackageFormatError("unterminated RPM string");
    return [decoder.decode(bytes.subarray(at, stop)), stop + 1];
  };
  for (let i = 0; i < count; i++) {
    const e = start + 16 + i * 16;
    const tag = view.getUint32(e);
    const type = view.getUint32(e + 4);
    const offset = store + view.getUint32(e + 8);
    const n = view.getUint32(e + 12);
    if (offset > end) throw new PackageFormatError("RPM index entry outside its store");
    if (type === 6) values.set(tag, cString(offset)[0]);
    else if (type === 8 || type === 9) {
      const list: string[] = [];
      let at = offset;
      for (let k = 0; k < n; k++) {
        const [s, next] = cString(at);
        list.push(s);
        at = next;
      }
      values.set(tag, type === 9 ? (list[0] ?? "") : list);
    } else if (type === 3 || type === 4) {
      const width = type === 3 ? 2 : 4;
      if (offset + n * width > end) throw new PackageFormatError("RPM integer array outside its store");
      const list: number[] = [];
      for (let k = 0; k < n; k++)
        list.push(type === 3 ? view.getUint16(offset + k * 2) : view.getUint32(offset + k * 4));
      values.set(tag, list);
    } else if (type === 5) {
      if (offset + n * 8 > end) throw new PackageFormatError("RPM integer array outside its store");
      const list: bigint[] = [];
      for (let k = 0; k < n; k++) list.push(view.getBigUint64(offset + k * 8));
      values.set(tag, list);
    }
  }
  return { start, end, values };
}

export interface RpmDependency {
  name: string;
  flags?: "EQ" | "LT" | "GT" | "LE" | "GE";
  epoch?: string;
  ver?: string;
  rel?: string;
  pre?: boolean;
}

export interface RpmInfo {
  name: string;
  arch: string;
  epoch: number;
  version: string;
  release: string;
  summary: string;
  description: string;
  packager: string;
  url: string;
  license: string;
  vendor: string;
  group: string;
  buildHost: string;
  sourceRpm: string;
  buildTime: number;
  installedSize: number;
  archiveSize: number;
  headerStart: number;
  headerEnd: number;
  provides: RpmDependency[];
  requires: RpmDependency[];
  files: { path: string; dir: boolean; ghost: boolean }[];
}

/** How many leading bytes hold the headers; undefined until `prefix` is long enough to tell. */
export function rpmHeaderEnd(prefix: Uint8Array): number | undefined {
  try {
    return parseHeaders(prefix).main.end;
  } catch (e) {
    if (e instanceof PackageFormatError && /truncated/.test(e.message)) return undefined;
    throw e;
  }
}

function parseHeaders(bytes: Uint8Array): { main: Header } {
  if (!(bytes[0] === 0xed && bytes[1] === 0xab && bytes[2] === 0xee && bytes[3] === 0xdb))
    throw new PackageFormatError("not an RPM package (bad lead magic)");
  if (bytes.length < LEAD) throw new PackageFormatError("RPM header truncated");
  const signature = readHeader(bytes, LEAD);
  const mainStart = signature.end + ((8 - (signature.end % 8)) % 8);
  return { main: readHeader(bytes, mainStart) };
}

const SENSE: Record<number, RpmDependency["flags"]> = { 2: "LT", 4: "GT", 8: "EQ", 10: "LE", 12: "GE" };
/** RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE | RPMSENSE_SCRIPT_POST: createrepo's `pre="1"`. */
const PRE_MASK = 64 | 512 | 1024;
/** RPMSENSE_RPMLIB: rpmlib(...) capabilities, which repository metadata leaves out. */
const RPMLIB = 1 << 24;

function evr(text: string): Pick<RpmDependency, "epoch" | "ver" | "rel"> {
  const m = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(text);
  return { epoch: m?.[1] ?? "0", ver: m?.[2] ?? text, ...(m?.[3] ? { rel: m[3] } : {}) };
}

function dependencies(
  names: Value | undefined,
  flags: Value | undefined,
  versions: Value | undefined,
  skipRpmlib: boolean,
) {
  const n = Array.isArray(names) ? (names as string[]) : [];
  const f = Array.isArray(flags) ? (flags as number[]) : [];
  const v = Array.isArray(versions) ? (versions as string[]) : [];
  const out: RpmDependency[] = [];
  n.forEach((name, i) => {
    const flag = Number(f[i] ?? 0);
    if (skipRpmlib && (flag & RPMLIB || name.startsWith("rpmlib("))) return;
    const sense = SENSE[flag & 0x0e];
    const version = v[i] ?? "";
    out.push({
      name,
      ...(sense && version ? { flags: sense, ...evr(version) } : {}),
      ...(flag & PRE_MASK ? { pre: true } : {}),
    });
  });
  return out;
}

/** The package's metadata, from a prefix of the file that covers the headers. */
export function readRpmInfo(prefix: Uint8Array): RpmInfo {
  const { main } = parseHeaders(prefix);
  const v = main.values;
  const str = (tag: number) => {
    const x = v.get(tag);
    return typeof x === "string" ? x : "";
  };
  const num = (tag: number) => {
    const x = v.get(tag);
    return Array.isArray(x) && x.length > 0 ? Number(x[0]) : 0;
  };
  const name = str(TAG.name);
  const version = str(TAG.version);
  const arch = str(TAG.arch);
  if (!name || !version || !arch) throw new PackageFormatError("RPM header has no name, version or arch");
  const dirNames = (v.get(TAG.dirNames) as string[] | undefined) ?? [];
  const baseNames = (v.get(TAG.baseNames) as string[] | undefined) ?? [];
  const dirIndexes = (v.get(TAG.dirIndexes) as number[] | undefined) ?? [];
  const modes = (v.get(TAG.fileModes) as number[] | undefined) ?? [];
  const fileFlags = (v.get(TAG.fileFlags) as number[] | undefined) ?? [];
  const files = baseNames.map((base, i) => ({
    path: `${dirNames[dirIndexes[i] ?? 0] ?? ""}${base}`,
    dir: ((modes[i] ?? 0) & 0o170000) === 0o040000,
    ghost: ((fileFlags[i] ?? 0) & 64) !== 0,
  }));
  return {
    name,
    arch,
    epoch: num(TAG.epoch),
    version,
    release: str(TAG.release),
    summary: str(TAG.summary),
    description: str(TAG.description),
    packager: str(TAG.packager),
    url: str(TAG.url),
    license: str(TAG.license),
    vendor: str(TAG.vendor),
    group: str(TAG.group),
    buildHost: str(TAG.buildHost),
    sourceRpm: str(TAG.sourceRpm),
    buildTime: num(TAG.buildTime),
    installedSize: num(TAG.size) || num(TAG.longSize),
    archiveSize: num(TAG.archiveSize),
    headerStart: main.start,
    headerEnd: main.end,
    provides: dependencies(v.get(TAG.provideName), v.get(TAG.provideFlags), v.get(TAG.provideVersion), false),
    requires: dependencies(v.get(TAG.requireName), v.get(TAG.requireFlags), v.get(TAG.requireVersion), true),
    files,
  };
}
