import type { SocketFactory } from "@fleetgate/sdk";
import WebSocket from "ws";

/** Node's WebSocket for jobs.watch: the `ws` package (Node 20 has no global one) with an explicit Origin. */
export const nodeSocket: SocketFactory = (url, origin, h) => {
  const ws = new WebSocket(url, { headers: { origin }, handshakeTimeout: 15_000 });
  let closed = false;
  const done = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    h.close(code, reason);
  };
  ws.on("open", () => h.open());
  ws.on("message", (data, isBinary) => {
    if (!isBinary) h.message(data.toString());
  });
  ws.on("unexpected-response", (_req, res) => {
    done(1006, `HTTP ${res.statusCode ?? 0}`);
    ws.terminate();
  });
  ws.on("close", (code, reason) => done(code, reason.toString()));
  ws.on("error", (err) => done(1006, err.message));
  return { close: () => ws.close(1000) };
};
