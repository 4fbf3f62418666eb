import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { session } from "../auth/session";
import { useSession } from "../auth/use-session";
import { setTheme, type ThemeChoice, useTheme } from "../theme/theme";
import { visibleNav } from "./nav";
import { CommandPalette, ShortcutsHelp } from "./palette";
import { useShortcuts } from "./shortcuts";

/** The signed-in frame: skip link, sidebar navigation by role, theme, palette, shortcuts. */
export function AppShell() {
  const s = useSession();
  const navigate = useNavigate();
  const theme = useTheme();
  const [palette, setPalette] = useState(false);
  const [help, setHelp] = useState(false);
  const items = useMemo(() => (s.status === "signed-in" ? visibleNav(s.user) : []), [s]);
  const handlers = useMemo(
    () => ({
      palette: () => setPalette(true),
      help: () => setHelp(true),
      go: (seq: string) => {
        const item = items.find((i) => i.keys === seq);
        if (item) void navigate({ to: item.to });
        return item !== undefined;
      },
    }),
    [items, navigate],
  );
  useShortcuts(handlers);
  useEffect(() => {
    if (s.status === "signed-out") {
      void navigate({
        to: "/sign-in",
        search: { redirect: window.location.pathname.replace(/^\/app/, "") || "/", reason: s.reason },
      });
    }
  }, [s, navigate]);
  if (s.status !== "signed-in") return null;
  const groups = [...new Set(items.map((i) => i.group))];
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">Fleetgate</div>
        <nav aria-label="Main">
          {groups.map((g) => (
            <div key={g}>
              <h2>{g}</h2>
              <ul>
                {items
                  .filter((i) => i.group === g)
                  .map((i) => (
                    <li key={i.to}>
                      <Link to={i.to} activeOptions={{ exact: i.to === "/" }} activeProps={{ className: "active" }}>
                        {i.label}
                      </Link>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="foot">
          <button type="button" onClick={() => setPalette(true)}>
            Search pages <kbd>Ctrl K</kbd>
          </button>
          <label>
            Theme
            <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <div className="hint">
            {s.user.username} · {s.user.role}
          </div>
          <button type="button" onClick={() => void session.logout()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <CommandPalette open={palette} onOpenChange={setPalette} items={items} />
      <ShortcutsHelp open={help} onOpenChange={setHelp} />
    </div>
  );
}
