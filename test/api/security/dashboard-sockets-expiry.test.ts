import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { EVENT_HUB_NAME } from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { eventually } from "../agent-helpers";

const hub = env.EVENTS.get(env.EVENTS.idFromName(EVENT_HUB_NAME));

/** A socket straight on the hub (as the API worker hands it over), ending at `ends` (ms) when given. */
async function hubSocket(ends?: number) {
  const url = new URL("https://event-hub/subscribe");
  url.searchParams.set("topic", "*");
  url.searchParams.set("identity", crypto.randomUUID());
  url.searchParams.set("session", `token:${crypto.randomUUID()}`);
  if (ends !== undefined) url.searchParams.set("ends", String(ends));
  const res = await hub.fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  ws.accept();
  const state: { closed?: { code: number; reason: string } } = {};
  ws.addEventListener("close", (e) => {
    state.closed = { code: e.code, reason: e.reason };
  });
  return { ws, state };
}

describe("issue 11: a dashboard socket ends when its session expires", () => {
  it("closes with 1008 `session expired` at the session's end; a socket with a later end stays open", async () => {
    const expiring = await hubSocket(Date.now() + 200);
    const later = await hubSocket(Date.now() + 3_600_000);
    const unbounded = await hubSocket();
    await new Promise((r) => setTimeout(r, 250));
    await runDurableObjectAlarm(hub);
    await eventually(async () => expiring.state.closed !== undefined);
    expect(expiring.state.closed).toEqual({ code: 1008, reason: "session expired" });
    later.ws.send("ping");
    unbounded.ws.send("ping");
    await new Promise((r) => setTimeout(r, 100));
    expect(later.state.closed).toBeUndefined();
    expect(unbounded.state.closed).toBeUndefined();
    later.ws.close();
    unbounded.ws.close();
  });

  it("a malformed end is refused (400), not accepted as unbounded", async () => {
    const url = new URL("https://event-hub/subscribe");
    url.searchParams.set("identity", crypto.randomUUID());
    url.searchParams.set("ends", "soon");
    const res = await hub.fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
    expect(res.status).toBe(400);
  });
});
