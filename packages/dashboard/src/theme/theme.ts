import { useSyncExternalStore } from "react";

/** Light, dark, or follow the system; stored per browser (not a secret, so localStorage is fine). */
export type ThemeChoice = "light" | "dark" | "system";
const KEY = "fleetgate-theme";
const listeners = new Set<() => void>();
const media = typeof matchMedia === "undefined" ? undefined : matchMedia("(prefers-color-scheme: dark)");

function read(): ThemeChoice {
  const v = typeof localStorage === "undefined" ? null : localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

let choice: ThemeChoice = read();

/** Applies the effective theme to <html data-theme>. */
export function applyTheme(): void {
  const dark = choice === "dark" || (choice === "system" && media?.matches === true);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

media?.addEventListener("change", applyTheme);

export function setTheme(next: ThemeChoice): void {
  choice = next;
  if (next === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, next);
  applyTheme();
  for (const l of listeners) l();
}

export function useTheme(): ThemeChoice {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => choice,
  );
}
