/**
 * Reads the control file of a Debian binary package (.deb = ar archive: debian-binary,
 * control.tar[.gz|.xz|.zst], data.tar.*) from its first bytes, for apt's Packages index.
 * Supported control member compressions: none and gzip (what `dpkg-deb -Zgzip`, our build, writes);
 * others are refused with a clear error rather than guessed at.
 */
export class PackageFormatError extends Error {
  override name = "PackageFormatError";
}

const AR_MAGIC = "!<arch>\n";
const decoder = new TextDecoder();
const ascii = (b: Uint8Array, from: number, to: number) => decoder.decode(b.subarray(from, to));

interface ArMember {
  name: string;
  offset: number;
  size: number;
}

/** The members of an ar archive whose headers lie inside `bytes` (a prefix of the file is enough). */
function arMembers(bytes: Uint8Array): ArMember[] {
  if (ascii(bytes, 0, 8) !== AR_MAGIC) throw new PackageFormatError("not a Debian package (no ar header)");
  const members: ArMember[] = [];
  let pos = 8;
  while (pos + 60 <= bytes.length) {
    if (ascii(bytes, pos + 58, pos + 60) !== "`\n") throw new PackageFormatError("corrupt ar member header");
    const name = ascii(bytes, pos, pos + 16)
      .trim()
      .replace(/\/$/, "");
    const size = Number.parseInt(ascii(bytes, pos + 48, pos + 58).trim(), 10);
    if (!Number.isSafeInteger(size) || size < 0) throw new PackageFormatError("corrupt ar member size");
    members.push({ name, offset: pos + 60, size });
    pos += 60 + size + (size % 2);
  }
  return members;
}

/** Where the control member lies: the caller reads `end` bytes from the start of the file. */
export function debControlRange(prefix: Uint8Array): { end: number } | undefined {
  const control = arMembers(prefix).find((m) => m.name.startsWith("control.tar"));
  return control ? { end: control.offset + control.size } : undefined;
}

async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The file `wanted` (`./control` or `control`) of a ustar/GNU tar archive. */
function tarFile(tar: Uint8Array, wanted: string): Uint8Array | undefined {
  let pos = 0;
  while (pos + 512 <= tar.length) {
    const header = tar.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) return undefined;
    const name = ascii(header, 0, 100).replace(/\0.*$/s, "");
    const prefix = ascii(header, 345, 500).replace(/\0.*$/s, "");
    const size = Number.parseInt(ascii(header, 124, 136).replace(/\0.*$/s, "").trim() || "0", 8);
    if (!Number.isSafeInteger(size) || size < 0) throw new PackageFormatError("corrupt tar header");
    const full = (prefix ? `${prefix}/${name}` : name).replace(/^\.\//, "");
    const type = String.fromCharCode(header[156] ?? 0);
    if (full === wanted && (type === "0" || type === "\0")) return tar.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/** One deb822 paragraph: its fields in order (continuation lines kept). */
export interface ControlParagraph {
  fields: [string, string][];
  get(name: string): string | undefined;
}

export function parseControl(text: string): ControlParagraph {
  const fields: [string, string][] = [];
  for (const line of text.replace(/\n+$/, "").split("\n")) {
    if (line === "") break;
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line)) {
      if (!last) throw new PackageFormatError("control file starts with a continuation line");
      last[1] += `\n${line}`;
      continue;
    }
    const m = /^([!-9;-~][!-9;-~]*):[ \t]*(.*)$/.exec(line);
    if (!m?.[1]) throw new PackageFormatError(`malformed control line: ${line.slice(0, 60)}`);
    fields.push([m[1], m[2] ?? ""]);
  }
  return {
    fields,
    get: (name) => fields.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
  };
}

/** The control paragraph of a .deb, from a prefix that covers its control member. */
export async function readDebControl(prefix: Uint8Array): Promise<ControlParagraph> {
  const control = arMembers(prefix).find((m) => m.name.startsWith("control.tar"));
  if (!control) throw new PackageFormatError("no control member in the Debian package");
  if (control.offset + control.size > prefix.length) throw new PackageFormatError("control member truncated");
  const raw = prefix.subarray(control.offset, control.offset + control.size);
  let tar: Uint8Array;
  if (control.name === "control.tar") tar = raw;
  else if (control.name === "control.tar.gz") tar = await gunzip(raw);
  else throw new PackageFormatError(`unsupported control compression: ${control.name}`);
  const file = tarFile(tar, "control");
  if (!file) throw new PackageFormatError("no control file in the Debian package");
  const paragraph = parseControl(decoder.decode(file));
  for (const required of ["Package", "Version", "Architecture"])
    if (!paragraph.get(required)) throw new PackageFormatError(`control file has no ${required}`);
  return paragraph;
}
