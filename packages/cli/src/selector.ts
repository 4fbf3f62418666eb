import type { Fleetgate, HostSummary } from "@fleetgate/sdk";
import { CliError, EXIT, UsageError } from "./exit-codes";

/** A parsed `--hosts` selector: `group:web,os:ubuntu,name:db-*,id:<uuid>,tag:env=prod` or bare names/ids. */
export interface Selector {
  names: string[];
  ids: string[];
  groups: string[];
  os: string[];
  health: string[];
  tags: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** Parses a selector; an empty one is an error (a selector never silently means "every host"). */
export function parseSelector(text: string): Selector {
  const sel: Selector = { names: [], ids: [], groups: [], os: [], health: [], tags: [] };
  const terms = text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (terms.length === 0) throw new UsageError("--hosts needs a selector (e.g. name:web-*,group:prod or host ids)");
  for (const term of terms) {
    const i = term.indexOf(":");
    const key = i > 0 ? term.slice(0, i) : "";
    const value = i > 0 ? term.slice(i + 1) : term;
    if (!value) throw new UsageError(`empty value in selector term "${term}"`);
    switch (key) {
      case "":
        (isUuid(value) ? sel.ids : sel.names).push(value);
        break;
      case "name":
        sel.names.push(value);
        break;
      case "id":
        if (!isUuid(value)) throw new UsageError(`not a host id: ${value}`);
        sel.ids.push(value);
        break;
      case "group":
        sel.groups.push(value);
        break;
      case "os":
        sel.os.push(value);
        break;
      case "health":
        sel.health.push(value);
        break;
      case "tag":
        sel.tags.push(value);
        break;
      default:
        throw new UsageError(`unknown selector key "${key}" (name, id, group, os, health, tag)`);
    }
  }
  if (sel.tags.length > 1) throw new UsageError("one tag: term per selector");
  if (sel.tags.length === 1 && (sel.names.length || sel.ids.length || sel.os.length || sel.health.length)) {
    throw new UsageError("tag: combines only with one group: term (the server matches tags)");
  }
  return sel;
}

/** `*` and `?` shell-style globs, anchored. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

/** What a job targets: explicit host ids, or a server-side filter for tag selectors. */
export type Targets =
  | { host_ids: string[]; hosts: HostSummary[] }
  | { host_filter: { tag: string; group_id?: string }; hosts?: undefined };

async function groupIds(fg: Fleetgate, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const groups = await fg.groups.list();
  return names.map((n) => {
    const g = groups.find((x) => x.id === n || x.name === n);
    if (!g) throw new CliError(`no group "${n}"`, EXIT.notFound);
    return g.id;
  });
}

/**
 * Resolves a selector to hosts: names/ids/os/health are matched against the host list (terms of one
 * kind are alternatives, kinds combine with AND); nothing matching is an error (exit 5).
 */
export async function resolveSelector(fg: Fleetgate, sel: Selector): Promise<Targets> {
  const gids = await groupIds(fg, sel.groups);
  const tag = sel.tags[0];
  if (tag !== undefined) {
    if (gids.length > 1) throw new UsageError("tag: combines with at most one group: term");
    return { host_filter: { tag, ...(gids[0] ? { group_id: gids[0] } : {}) } };
  }
  const candidates: HostSummary[] = [];
  const seen = new Set<string>();
  const pools = gids.length > 0 ? gids.map((g) => ({ group_id: g })) : [{}];
  for (const filter of pools) {
    for await (const h of fg.hosts.listAll(filter)) {
      if (!seen.has(h.id)) {
        seen.add(h.id);
        candidates.push(h);
      }
    }
  }
  const nameRes = sel.names.map(globToRegExp);
  const hosts = candidates
    .filter(
      (h) =>
        (sel.ids.length === 0 && nameRes.length === 0) ||
        sel.ids.includes(h.id) ||
        nameRes.some((re) => re.test(h.name) || re.test(h.fqdn)),
    )
    .filter(
      (h) =>
        sel.os.length === 0 ||
        sel.os.some((o) => [h.os_family, h.os_name].some((v) => v.toLowerCase().includes(o.toLowerCase()))),
    )
    .filter((h) => sel.health.length === 0 || sel.health.includes(h.health_status));
  const missing = sel.ids.filter((id) => !hosts.some((h) => h.id === id));
  if (missing.length > 0) throw new CliError(`unknown or invisible host ids: ${missing.join(", ")}`, EXIT.notFound);
  if (hosts.length === 0) throw new CliError("the selector matches no host", EXIT.notFound);
  return { host_ids: hosts.map((h) => h.id), hosts };
}

/** One host by id, name or FQDN (exactly one match, else exit 5 / 2). */
export async function resolveHost(fg: Fleetgate, ref: string): Promise<HostSummary | { id: string }> {
  if (isUuid(ref)) return { id: ref };
  const page = await fg.hosts.list({ search: ref, limit: 100 });
  const exact = page.hosts.filter((h) => h.name === ref || h.fqdn === ref || h.display_name === ref);
  if (exact.length === 1 && exact[0]) return exact[0];
  if (exact.length > 1) throw new UsageError(`"${ref}" names ${exact.length} hosts; use the id`);
  throw new CliError(`no host "${ref}"`, EXIT.notFound);
}
