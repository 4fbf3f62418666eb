import { expect } from "vitest";
import { adminLogin, bearer } from "../auth-helpers";
import { call } from "../helpers";

const ORIGIN = "http://127.0.0.1:8787";

/** A single-use WebSocket ticket for a session (default: the admin). */
export async function wsTicket(session?: { access: string }): Promise<string> {
  const res = await call("/api/v1/ws/ticket", {
    method: "POST",
    headers: bearer(session?.access ?? (await adminLogin())),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** A dashboard socket on `/api/v1/ws/jobs?<query>` that records its frames and its close. */
export async function dashboardSocket(query: string) {
  const res = await call(`/api/v1/ws/jobs?${query}`, { headers: { Upgrade: "websocket", Origin: ORIGIN } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  ws.accept();
  const frames: Record<string, unknown>[] = [];
  const state: { closed?: { code: number; reason: string } } = {};
  ws.addEventListener("message", (e) => {
    if (e.data !== "pong") frames.push(JSON.parse(String(e.data)) as Record<string, unknown>);
  });
  ws.addEventListener("close", (e) => {
    state.closed = { code: e.code, reason: e.reason };
  });
  return { frames, ws, state };
}
