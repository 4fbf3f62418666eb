import { useNavigate } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { Dialog } from "../ui/dialog";
import type { NavItem } from "./nav";

/** ⌘K command palette: type to filter pages, ↑/↓ to choose, Enter to go. */
export function CommandPalette({
  open,
  onOpenChange,
  items,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  items: NavItem[];
}) {
  const navigate = useNavigate();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const matches = useMemo(
    () => items.filter((i) => i.label.toLowerCase().includes(query.trim().toLowerCase())),
    [items, query],
  );
  const go = (item: NavItem | undefined) => {
    if (!item) return;
    onOpenChange(false);
    setQuery("");
    void navigate({ to: item.to });
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Go to…" description="Type a page name, then press Enter.">
      <div className="palette">
        <input
          aria-label="Page name"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={matches[active] ? `palette-${active}` : undefined}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, matches.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === "Enter") {
              e.preventDefault();
              go(matches[active]);
            }
          }}
        />
        <div id="palette-list" role="listbox" aria-label="Pages">
          {matches.map((m, i) => (
            <div
              key={m.to}
              tabIndex={-1}
              id={`palette-${i}`}
              role="option"
              aria-selected={i === active}
              onClick={() => go(m)}
              onKeyDown={() => undefined}
            >
              {m.label} <span className="hint">{m.group}</span>
            </div>
          ))}
        </div>
      </div>
    </Dialog>
  );
}

export function ShortcutsHelp({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const rows: [string, string][] = [
    ["Ctrl K / ⌘ K", "Command palette"],
    ["?", "This help"],
    ["/", "Search on this page"],
    ["g o", "Overview"],
    ["g h", "Hosts"],
    ["g j", "Jobs"],
    ["g e", "Enrollment"],
    ["g c", "Certificates"],
    ["g r", "Reports & exports"],
    ["g a", "Audit"],
    ["g p", "Profile"],
    ["Esc", "Close a dialog"],
  ];
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Keyboard shortcuts">
      <table className="data">
        <caption className="visually-hidden">Keyboard shortcuts</caption>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, a]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{a}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
