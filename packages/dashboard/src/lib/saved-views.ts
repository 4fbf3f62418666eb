import { z } from "zod";
import { HostsSearch } from "./search";

/** Named filter sets of the hosts page, kept in this browser (localStorage); applying one sets the URL. */
const KEY = "fleetgate-host-views";
const Views = z.record(z.string().min(1).max(60), HostsSearch);
export type SavedViews = z.infer<typeof Views>;

export function loadViews(storage: Pick<Storage, "getItem"> = localStorage): SavedViews {
  try {
    const parsed = Views.safeParse(JSON.parse(storage.getItem(KEY) ?? "{}"));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function store(views: SavedViews, storage: Pick<Storage, "setItem">): SavedViews {
  storage.setItem(KEY, JSON.stringify(views));
  return views;
}

/** Saves the current filters (never the page offset) under a name, replacing a view of that name. */
export function saveView(name: string, search: HostsSearch, storage: Storage = localStorage): SavedViews {
  const { offset: _offset, ...filters } = search;
  return store({ ...loadViews(storage), [name.trim()]: HostsSearch.parse({ ...filters, offset: 0 }) }, storage);
}

export function deleteView(name: string, storage: Storage = localStorage): SavedViews {
  const { [name]: _gone, ...rest } = loadViews(storage);
  return store(rest, storage);
}

/** The saved view whose filters equal the current ones (ignoring the page), if any. */
export function currentView(views: SavedViews, search: HostsSearch): string | undefined {
  const key = (s: HostsSearch) => {
    const { offset: _o, ...f } = s;
    return JSON.stringify(
      Object.entries(f)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  };
  return Object.keys(views).find((n) => {
    const v = views[n];
    return v !== undefined && key(v) === key(search);
  });
}
