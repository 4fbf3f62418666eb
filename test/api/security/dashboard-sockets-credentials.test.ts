import { describe, expect, it } from "vitest";
import { eventually } from "../agent-helpers";
import { adminLogin, bearer, login, userWithRole } from "../auth-helpers";
import { call, nativeError } from "../helpers";
import { nativeMfaUser } from "./sec-helpers";
import { dashboardSocket, wsTicket } from "./sec-ws";

/**
 * Issue 11, finding 3 (dashboards): a live job stream ends with the credential
 * it was opened under — a password change or reset, an admin MFA reset, the
 * end of its own sign-in session (logout, a deleted API token) or of its
 * service account — in the same request, with close code 1008 and a reason
 * (docs/auth.md "Live sockets").
 */
const NEW_PASSWORD = "N3w!Str0ng-Passw0rd";
type Socket = Awaited<ReturnType<typeof dashboardSocket>>;

async function closed(s: Socket): Promise<{ code: number; reason: string }> {
  return eventually(async () => s.state.closed);
}

/** Proves a socket is still open: it answers a ping. */
async function stillOpen(s: Socket): Promise<void> {
  let pong = false;
  s.ws.addEventListener("message", (e) => {
    if (e.data === "pong") pong = true;
  });
  s.ws.send("ping");
  await eventually(async () => pong);
  expect(s.state.closed).toBeUndefined();
}

async function ticketWithApiToken(secret: string): Promise<string> {
  const res = await call("/api/v1/ws/ticket", { method: "POST", headers: { authorization: `Token ${secret}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}

async function apiToken(access: string): Promise<{ id: string; secret: string }> {
  const res = await call("/api/v1/tokens", { method: "POST", headers: bearer(access), json: { name: "ws" } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

describe("finding 3: a credential change closes the user's live sockets", () => {
  it("changing one's own password closes every socket of that user (1008 'password changed')", async () => {
    const [u, other] = await Promise.all([userWithRole("operator"), userWithRole("operator")]);
    const mine = await dashboardSocket(`ticket=${await wsTicket(u.session)}`);
    const bystander = await dashboardSocket(`ticket=${await wsTicket(other.session)}`);
    const res = await call("/api/v1/users/me/password", {
      method: "PUT",
      headers: bearer(u.session),
      json: { current_password: u.password, new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(await closed(mine)).toEqual({ code: 1008, reason: "password changed" });
    await stillOpen(bystander);
    bystander.ws.close();
  });

  it("an admin password reset closes the user's sockets (1008 'password reset')", async () => {
    const u = await userWithRole("reporter");
    const mine = await dashboardSocket(`ticket=${await wsTicket(u.session)}`);
    const res = await call(`/api/v1/users/${u.id}/password`, {
      method: "PUT",
      headers: bearer(await adminLogin()),
      json: { new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(await closed(mine)).toEqual({ code: 1008, reason: "password reset" });
  });

  it("a forced (self-service) password change closes the user's sockets", async () => {
    const u = await userWithRole("operator");
    const mine = await dashboardSocket(`ticket=${await wsTicket(u.session)}`);
    const admin = bearer(await adminLogin());
    const flag = await call(`/api/v1/users/${u.id}`, {
      method: "PUT",
      headers: admin,
      json: { force_password_reset: true },
    });
    expect(flag.status).toBe(200);
    await stillOpen(mine);
    const res = await call("/api/v1/auth/force-change-password", {
      method: "POST",
      json: { username: u.username, current_password: u.password, new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(await closed(mine)).toEqual({ code: 1008, reason: "password changed" });
  });

  it("an admin MFA reset closes the user's sockets (1008 'mfa reset')", async () => {
    const u = await nativeMfaUser("reporter");
    const mine = await dashboardSocket(`ticket=${await wsTicket({ access: u.access })}`);
    const res = await call(`/api/v1/users/${u.id}/mfa`, { method: "DELETE", headers: bearer(await adminLogin()) });
    expect(res.status).toBe(200);
    expect(await closed(mine)).toEqual({ code: 1008, reason: "mfa reset" });
  });
});

describe("finding 3: ending one session closes the sockets opened under it, not others", () => {
  it("logout closes its own session's sockets; the same user's other session keeps its socket", async () => {
    const u = await userWithRole("operator");
    const second = await login(u.username, u.password);
    const first = await dashboardSocket(`ticket=${await wsTicket(u.session)}`);
    const other = await dashboardSocket(`ticket=${await wsTicket(second)}`);
    const out = await call("/api/v1/auth/logout", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(out.status).toBe(200);
    expect(await closed(first)).toEqual({ code: 1008, reason: "session ended" });
    await stillOpen(other);
    // The logged-out session's access token cannot mint a new ticket (or do anything else).
    const again = await call("/api/v1/ws/ticket", { method: "POST", headers: bearer(u.session) });
    expect(again.status).toBe(401);
    expect((await call("/api/v1/users/me", { headers: bearer(second) })).status).toBe(200);
    other.ws.close();
  });

  it("a ticket whose session ended before the upgrade opens nothing (401 invalid_ticket)", async () => {
    const u = await userWithRole("reporter");
    const ticket = await wsTicket(u.session);
    const out = await call("/api/v1/auth/logout", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(out.status).toBe(200);
    const res = await call(`/api/v1/ws/jobs?ticket=${ticket}`, {
      headers: { Upgrade: "websocket", Origin: "http://127.0.0.1:8787" },
    });
    expect(res.status).toBe(401);
    expect(res.webSocket).toBeNull();
    expect((await nativeError(res)).code).toBe("invalid_ticket");
  });

  it("refresh-token reuse (theft signal) closes the family's sockets", async () => {
    const u = await userWithRole("reporter");
    const mine = await dashboardSocket(`ticket=${await wsTicket(u.session)}`);
    const first = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(first.status).toBe(200);
    await stillOpen(mine);
    const reuse = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(reuse.status).toBe(401);
    expect(await closed(mine)).toEqual({ code: 1008, reason: "session ended" });
  });

  it("deleting an API token closes the sockets opened with it; the JWT session's socket stays", async () => {
    const u = await userWithRole("operator");
    const token = await apiToken(u.session.access);
    const viaToken = await dashboardSocket(`ticket=${await ticketWithApiToken(token.secret)}`);
    const viaJwt = await dashboardSocket(`ticket=${await wsTicket(u.session)}`);
    const res = await call(`/api/v1/tokens/${token.id}`, { method: "DELETE", headers: bearer(u.session) });
    expect(res.status).toBe(200);
    expect(await closed(viaToken)).toEqual({ code: 1008, reason: "token deleted" });
    await stillOpen(viaJwt);
    viaJwt.ws.close();
  });

  it("deleting a service account closes the sockets of its tokens", async () => {
    const admin = bearer(await adminLogin());
    const name = `ws-sa-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const sa = await call("/api/v1/service-accounts", {
      method: "POST",
      headers: admin,
      json: { name, role: "reporter" },
    });
    expect(sa.status).toBeLessThan(300);
    const { id } = (await sa.json()) as { id: string };
    const tok = await call(`/api/v1/service-accounts/${id}/tokens`, { method: "POST", headers: admin, json: { name } });
    expect(tok.status).toBe(201);
    const { secret } = (await tok.json()) as { secret: string };
    const s = await dashboardSocket(`ticket=${await ticketWithApiToken(secret)}`);
    const del = await call(`/api/v1/service-accounts/${id}`, { method: "DELETE", headers: admin });
    expect(del.status).toBe(200);
    expect(await closed(s)).toEqual({ code: 1008, reason: "service account deleted" });
  });
});
