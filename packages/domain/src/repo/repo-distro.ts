/**
 * Which of the repository's distributions (os-release `ID`s) a host runs, from the `os_details` it sent
 * with its self-enrollment (linux-patch-manager.md §5: keys `os`, `name`, `distro`, `id_like`, …).
 * Our agent sends the os-release ID as `os`; the reference agent sends NAME as `distro` and ID_LIKE.
 */
export const APT_DISTROS: ReadonlySet<string> = new Set(["debian", "ubuntu", "raspbian", "linuxmint", "pop"]);
export const YUM_DISTROS: ReadonlySet<string> = new Set([
  "rhel",
  "centos",
  "rocky",
  "almalinux",
  "fedora",
  "ol",
  "amzn",
]);

/** os-release NAMEs (lower case, by prefix) of the distributions whose ID is not the NAME's first word. */
const NAME_PREFIXES: readonly [string, string][] = [
  ["red hat", "rhel"],
  ["oracle linux", "ol"],
  ["amazon linux", "amzn"],
  ["linux mint", "linuxmint"],
  ["pop!_os", "pop"],
  ["rocky linux", "rocky"],
  ["centos", "centos"],
  ["almalinux", "almalinux"],
];

const known = (id: string) => APT_DISTROS.has(id) || YUM_DISTROS.has(id);

function fromText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  if (!text) return undefined;
  if (known(text)) return text;
  for (const [prefix, id] of NAME_PREFIXES) if (text.startsWith(prefix)) return id;
  const first = text.split(/[\s/]+/)[0] ?? "";
  return known(first) ? first : undefined;
}

/** The distribution ID for the repository, or undefined when the details name none it serves. */
export function repoDistroOf(osDetails: Record<string, unknown>): string | undefined {
  for (const key of ["id", "os", "distro_id", "distro", "name"]) {
    const id = fromText(osDetails[key]);
    if (id) return id;
  }
  // ID_LIKE ("rhel centos fedora", "debian"): the first family member the repository serves.
  const like = osDetails.id_like;
  if (typeof like === "string") for (const word of like.toLowerCase().split(/\s+/)) if (known(word)) return word;
  return undefined;
}
