import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, connectAgent, echo, enrollHost, execPost } from "../agent-helpers";
import { adminLogin, bearer } from "../auth-helpers";
import { call } from "../helpers";
import { createGroup } from "../task-helpers";

/**
 * Issue 11 (low): anonymous ctrl-exec callers (status and discovery opened by
 * an admin for some addresses) had admin visibility. They now see ungrouped
 * hosts only: a grouped host is absent from discovery and its job's status is 404.
 */
const fromLan = { "cf-connecting-ip": "10.77.0.9" };

async function openAnonymous(actions: string[], cidrs: string[]) {
  const res = await call("/api/v1/settings/ctrl-exec", {
    method: "PUT",
    headers: bearer(await adminLogin()),
    json: { anonymous_actions: actions, anonymous_cidrs: cidrs },
  });
  expect(res.status).toBe(200);
}

beforeAll(() => openAnonymous(["status", "discovery"], ["10.77.0.0/16"]));
afterAll(() => openAnonymous([], []));

describe("anonymous ctrl-exec scope", () => {
  it("sees ungrouped hosts only: discovery lists them, a grouped host's job status is 404", async () => {
    const [open, restricted] = await Promise.all([enrollHost(), enrollHost()]);
    const group = await createGroup();
    await env.DB.prepare("INSERT INTO host_groups (host_id, group_id) VALUES (?, ?)").bind(restricted.id, group).run();
    const agents = await Promise.all([
      connectAgent(open, { scripts: { echo } }),
      connectAgent(restricted, { scripts: { echo } }),
    ]);
    const token = await adminToken();
    const reqidOf = async (host: string) =>
      ((await (await execPost("/run", { hosts: [host], script: "echo", token })).json()) as { reqid: string }).reqid;
    const [openReqid, restrictedReqid] = [await reqidOf(open.name), await reqidOf(restricted.name)];

    expect((await call(`/status/${openReqid}`, { headers: fromLan })).status).toBe(200);
    expect((await call(`/status/${restrictedReqid}`, { headers: fromLan })).status).toBe(404);
    // An admin token still sees both.
    expect((await call(`/status/${restrictedReqid}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );

    const discovery = await call("/discovery", { headers: fromLan });
    expect(discovery.status).toBe(200);
    const hosts = Object.keys(((await discovery.json()) as { hosts: Record<string, unknown> }).hosts);
    expect(hosts).toContain(open.name);
    expect(hosts).not.toContain(restricted.name);
    for (const a of agents) a.close();
  });
});
