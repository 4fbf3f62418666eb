/** Callbacks of one WebSocket connection. */
export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  /** Called once when the connection closes or fails (also when it never opened). */
  close(code: number, reason: string): void;
}

/**
 * Opens a WebSocket. Browsers send their own `Origin`; Node clients pass `origin` as a header
 * (the server checks it against ALLOWED_ORIGINS before anything else).
 */
export type SocketFactory = (url: string, origin: string, handlers: SocketHandlers) => { close(): void };

/** The platform's WebSocket (browsers, Node 22+). It cannot set `Origin`: browsers set it themselves. */
export const platformSocket: SocketFactory = (url, _origin, h) => {
  const Ws = globalThis.WebSocket;
  if (typeof Ws !== "function") throw new Error("No global WebSocket: pass `webSocket` (e.g. from the ws package)");
  const ws = new Ws(url);
  let closed = false;
  const done = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    h.close(code, reason);
  };
  ws.addEventListener("open", () => h.open());
  ws.addEventListener("message", (ev: { data: unknown }) => {
    if (typeof ev.data === "string") h.message(ev.data);
  });
  ws.addEventListener("close", (ev: { code: number; reason: string }) => done(ev.code, ev.reason));
  ws.addEventListener("error", () => done(1006, "error"));
  return { close: () => ws.close(1000) };
};
