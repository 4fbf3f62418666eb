import { useVirtualizer } from "@tanstack/react-virtual";
import { AnsiUp } from "ansi_up";
import { useEffect, useMemo, useRef, useState } from "react";

const ROW = 18;

/** Lines as HTML with ANSI colours; ansi_up escapes HTML, and carries colour state across lines. */
export function ansiLines(text: string): string[] {
  const au = new AnsiUp();
  au.use_classes = false;
  return text.split("\n").map((l) => au.ansi_to_html(l));
}

/** Strips ANSI escape sequences (for search and download). */
export function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Virtualized ANSI log with follow, search and download (lazy chunk). */
export default function LogViewer({ text, name }: { text: string; name: string }) {
  const html = useMemo(() => ansiLines(text), [text]);
  const lines = useMemo(() => plain(text).split("\n"), [text]);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState("");
  const [hit, setHit] = useState(-1);
  const box = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: html.length, getScrollElement: () => box.current, estimateSize: () => ROW });
  const hits = useMemo(
    () => (query ? lines.flatMap((l, i) => (l.toLowerCase().includes(query.toLowerCase()) ? [i] : [])) : []),
    [lines, query],
  );
  useEffect(() => {
    if (follow && html.length > 0) v.scrollToIndex(html.length - 1, { align: "end" });
  }, [follow, html.length, v]);
  const next = () => {
    if (hits.length === 0) return;
    const i = (hits.findIndex((h) => h > hit) + hits.length) % hits.length;
    const line = hits[i === -1 ? 0 : i] ?? 0;
    setHit(line);
    setFollow(false);
    v.scrollToIndex(line, { align: "center" });
  };
  const save = () => {
    const url = URL.createObjectURL(new Blob([plain(text)], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div>
      <div className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <form
          className="toolbar"
          style={{ margin: 0 }}
          onSubmit={(e) => {
            e.preventDefault();
            next();
          }}
        >
          <label className="inline">
            Find in output
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
          </label>
          <button type="submit">Next</button>
          <span className="hint" aria-live="polite">
            {query ? `${hits.length} matching line(s)` : ""}
          </span>
        </form>
        <button type="button" onClick={save}>
          Download
        </button>
      </div>
      <div
        className="log"
        ref={box}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so keyboard users must be able to focus it
        tabIndex={0}
        role="log"
        aria-label={`Output of ${name}`}
        data-testid="job-output"
        onWheel={() => setFollow(false)}
      >
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          {v.getVirtualItems().map((item) => (
            <div
              key={item.key}
              className={item.index === hit ? "line hit" : "line"}
              style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              // ansi_up escapes the text (escape_html); only its colour spans are markup.
              dangerouslySetInnerHTML={{ __html: html[item.index] ?? "" }}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
