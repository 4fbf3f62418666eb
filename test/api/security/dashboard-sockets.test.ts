import { env } from "cloudflare:workers";
import { EVENT_HUB_NAME } from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { MAX_SOCKETS_PER_IDENTITY } from "../../../workers/realtime/src/event-hub.do";
import { eventually } from "../agent-helpers";
import { adminLogin, bearer, userWithRole } from "../auth-helpers";
import { call } from "../helpers";
import { dashboardSocket, wsTicket } from "./sec-ws";

const hub = env.EVENTS.get(env.EVENTS.idFromName(EVENT_HUB_NAME));

describe("finding 3: dashboard sockets end with their user's rights", () => {
  for (const [label, change] of [
    [
      "disabled",
      (id: string, h: Record<string, string>) =>
        call(`/api/v1/users/${id}`, { method: "PUT", headers: h, json: { is_active: false } }),
    ],
    [
      "demoted",
      (id: string, h: Record<string, string>) =>
        call(`/api/v1/users/${id}`, { method: "PUT", headers: h, json: { role: "reporter" } }),
    ],
    [
      "revoked",
      (id: string, h: Record<string, string>) => call(`/api/v1/users/${id}/revoke`, { method: "POST", headers: h }),
    ],
    [
      "deleted",
      (id: string, h: Record<string, string>) => call(`/api/v1/users/${id}`, { method: "DELETE", headers: h }),
    ],
  ] as const) {
    it(`a user ${label} → their open sockets close; another user's stay open`, async () => {
      const [victim, bystander] = await Promise.all([userWithRole("operator"), userWithRole("operator")]);
      const mine = await dashboardSocket(`ticket=${await wsTicket(victim.session)}`);
      const other = await dashboardSocket(`ticket=${await wsTicket(bystander.session)}`);
      const res = await change(victim.id, bearer(await adminLogin()));
      expect(res.status).toBeLessThan(300);
      await eventually(async () => mine.state.closed !== undefined);
      expect(mine.state.closed?.code).toBe(1008);
      other.ws.send("ping");
      await new Promise((r) => setTimeout(r, 100));
      expect(other.state.closed).toBeUndefined();
      other.ws.close();
    });
  }
});

describe("low: EventHub sockets per identity are bounded", () => {
  it(`the ${MAX_SOCKETS_PER_IDENTITY + 1}th socket of one user closes the oldest`, async () => {
    const u = await userWithRole("reporter");
    const sockets: Awaited<ReturnType<typeof dashboardSocket>>[] = [];
    for (let i = 0; i <= MAX_SOCKETS_PER_IDENTITY; i++)
      sockets.push(await dashboardSocket(`ticket=${await wsTicket(u.session)}`));
    await eventually(async () => sockets[0]?.state.closed !== undefined);
    expect(sockets.slice(1).every((s) => s.state.closed === undefined)).toBe(true);
    for (const s of sockets) s.ws.close();
    expect(await hub.subscribers()).toBeDefined();
  });
});
