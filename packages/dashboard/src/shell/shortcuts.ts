import { useEffect } from "react";

/** True when a key event comes from a field where typing must not trigger shortcuts. */
function typing(e: KeyboardEvent): boolean {
  const t = e.target;
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
}

/**
 * Global keys: ⌘K / Ctrl+K palette, `?` help, `/` focuses the page's search field,
 * and two-key sequences such as `g h` (go to hosts).
 */
export function useShortcuts(handlers: {
  palette: () => void;
  help: () => void;
  go: (sequence: string) => boolean;
}): void {
  useEffect(() => {
    let pending: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        handlers.palette();
        return;
      }
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (pending) {
        const seq = `${pending} ${e.key}`;
        pending = undefined;
        if (handlers.go(seq)) e.preventDefault();
        return;
      }
      if (e.key === "?") {
        e.preventDefault();
        handlers.help();
      } else if (e.key === "/") {
        const field = document.querySelector<HTMLInputElement>("[data-page-search]");
        if (field) {
          e.preventDefault();
          field.focus();
        }
      } else if (e.key === "g") {
        pending = "g";
        clearTimeout(timer);
        timer = setTimeout(() => {
          pending = undefined;
        }, 1500);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      clearTimeout(timer);
    };
  }, [handlers]);
}
