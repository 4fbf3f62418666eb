import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually } from "../agent-helpers";
import { adminLogin, bearer, userWithRole } from "../auth-helpers";
import { call } from "../helpers";
import { dashboardSocket, wsTicket } from "./sec-ws";

/**
 * Issue 11 (finding 1, streams): a job stream's visible-host set was fixed when
 * the socket opened. A change of host-group membership or of a user's groups
 * now closes the non-admin job streams it may affect with close code 4001
 * ("visibility changed"), so the client reconnects and is authorised afresh.
 */
const VISIBILITY_CHANGED = 4001;

async function group(admin: Record<string, string>): Promise<string> {
  const res = await call("/api/v1/groups", {
    method: "POST",
    headers: admin,
    json: { name: `jsr-${crypto.randomUUID().slice(0, 8)}` },
  });
  return ((await res.json()) as { id: string }).id;
}

async function hangingJob(admin: Record<string, string>) {
  const host = await enrollHost();
  const agent = await connectAgent(host, { scripts: { s: () => "hang" } });
  const res = await call("/api/v1/jobs", {
    method: "POST",
    headers: admin,
    json: { kind: "script", script: "s", host_ids: [host.id] },
  });
  expect(res.status).toBe(200);
  return { host, agent, job: ((await res.json()) as { id: string }).id };
}

describe("finding 1: a job stream is re-authorised when group membership changes", () => {
  it("moving the job's host into a group the reporter is not in closes the reporter's job socket (4001); the admin's stays", async () => {
    const admin = bearer(await adminLogin());
    const { host, agent, job } = await hangingJob(admin);
    const reporter = await userWithRole("reporter");
    const theirs = await dashboardSocket(`ticket=${await wsTicket(reporter.session)}&job=${job}`);
    const mine = await dashboardSocket(`ticket=${await wsTicket()}&job=${job}`);
    const g = await group(admin);
    const moved = await call(`/api/v1/hosts/${host.id}/groups`, {
      method: "POST",
      headers: admin,
      json: { group_id: g },
    });
    expect(moved.status).toBeLessThan(300);
    await eventually(async () => theirs.state.closed !== undefined);
    expect(theirs.state.closed?.code).toBe(VISIBILITY_CHANGED);
    mine.ws.send("ping");
    await new Promise((r) => setTimeout(r, 100));
    expect(mine.state.closed).toBeUndefined();
    // Reconnecting re-authorises: the job's only host is now invisible to the reporter → 403.
    const again = await call(`/api/v1/ws/jobs?ticket=${await wsTicket(reporter.session)}&job=${job}`, {
      headers: { Upgrade: "websocket", Origin: "http://127.0.0.1:8787" },
    });
    expect(again.status).toBe(403);
    mine.ws.close();
    agent.close();
  });

  it("removing a user from a group closes that user's job sockets (4001), not another user's", async () => {
    const admin = bearer(await adminLogin());
    const { host, agent, job } = await hangingJob(admin);
    const g = await group(admin);
    expect(
      (await call(`/api/v1/hosts/${host.id}/groups`, { method: "POST", headers: admin, json: { group_id: g } })).status,
    ).toBeLessThan(300);
    const [member, bystander] = await Promise.all([userWithRole("reporter"), userWithRole("reporter")]);
    for (const u of [member, bystander]) {
      const add = await call(`/api/v1/groups/${g}/users/${u.id}`, { method: "POST", headers: admin });
      expect(add.status).toBeLessThan(300);
    }
    const theirs = await dashboardSocket(`ticket=${await wsTicket(member.session)}&job=${job}`);
    const other = await dashboardSocket(`ticket=${await wsTicket(bystander.session)}&job=${job}`);
    const removed = await call(`/api/v1/groups/${g}/users/${member.id}`, { method: "DELETE", headers: admin });
    expect(removed.status).toBeLessThan(300);
    await eventually(async () => theirs.state.closed !== undefined);
    expect(theirs.state.closed?.code).toBe(VISIBILITY_CHANGED);
    other.ws.send("ping");
    await new Promise((r) => setTimeout(r, 100));
    expect(other.state.closed).toBeUndefined();
    other.ws.close();
    agent.close();
  });
});
