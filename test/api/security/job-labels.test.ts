import { describe, expect, it } from "vitest";
import { connectAgent, echo, enrollHost } from "../agent-helpers";
import { adminLogin, bearer, type Session, userWithRole } from "../auth-helpers";
import { call, nativeError } from "../helpers";

/**
 * Issue 11 (low): agent-reported tags drove job targeting, so an agent could
 * make itself a target of a tag-selected job by reporting the tag. What an
 * agent reports is now a `label`; targeting by `tag` uses only the tags an
 * admin assigned (`PUT /hosts/{id}/tags`).
 */
const run = crypto.randomUUID().slice(0, 8);

function tagJob(admin: Session, tag: string) {
  return call("/api/v1/jobs", {
    method: "POST",
    headers: bearer(admin),
    json: { kind: "script", script: "echo", host_filter: { tag } },
  });
}

function setTags(headers: Record<string, string>, hostId: string, tags: Record<string, string>) {
  return call(`/api/v1/hosts/${hostId}/tags`, { method: "PUT", headers, json: { tags } });
}

describe("low: agent-reported labels are not admin tags", () => {
  it("a tag only the agent reported selects no host (422 no_hosts); once an admin assigns it, it does", async () => {
    const admin = await adminLogin();
    const host = await enrollHost(`lbl-${run}`);
    const agent = await connectAgent(host, { tags: { role: `db-${run}` }, scripts: { echo } });
    const refused = await tagJob(admin, `role=db-${run}`);
    expect(refused.status).toBe(422);
    expect((await nativeError(refused)).code).toBe("no_hosts");

    const put = await setTags(bearer(admin), host.id, { role: `db-${run}` });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ message: "Host tags updated", tags: { role: `db-${run}` } });
    const ok = await tagJob(admin, `role=db-${run}`);
    expect(ok.status).toBe(200);
    const job = (await ok.json()) as { id: string };
    const detail = (await (await call(`/api/v1/jobs/${job.id}`, { headers: bearer(admin) })).json()) as {
      hosts: { host_id: string }[];
    };
    expect(detail.hosts.map((h) => h.host_id)).toEqual([host.id]);
    agent.close();
  });

  it("host detail shows the admin's tags as tags and the agent's report as labels; an agent report never changes tags", async () => {
    const admin = await adminLogin();
    const host = await enrollHost(`lbl2-${run}`);
    expect((await setTags(bearer(admin), host.id, { env: "prod" })).status).toBe(200);
    const agent = await connectAgent(host, { tags: { env: "evil", extra: "1" } });
    const detail = (await (await call(`/api/v1/hosts/${host.id}`, { headers: bearer(admin) })).json()) as {
      tags: Record<string, string>;
      labels: Record<string, string>;
    };
    expect(detail.tags).toEqual({ env: "prod" });
    expect(detail.labels).toEqual({ env: "evil", extra: "1" });
    agent.close();
  });

  it("only admins assign tags (operator → 403 forbidden_role); bad tags → 400; unknown host → 404", async () => {
    const admin = await adminLogin();
    const host = await enrollHost(`lbl3-${run}`);
    const op = await userWithRole("operator");
    const denied = await setTags(bearer(op.session), host.id, { env: "prod" });
    expect(denied.status).toBe(403);
    expect((await nativeError(denied)).code).toBe("forbidden_role");
    expect((await setTags(bearer(admin), host.id, { "bad key": "x" })).status).toBe(400);
    expect((await setTags(bearer(admin), host.id, { k: "v".repeat(257) })).status).toBe(400);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"]));
    expect((await setTags(bearer(admin), host.id, many)).status).toBe(400);
    expect((await setTags(bearer(admin), crypto.randomUUID(), { env: "prod" })).status).toBe(404);
  });

  it("assigning tags is audited", async () => {
    const admin = await adminLogin();
    const host = await enrollHost(`lbl4-${run}`);
    expect((await setTags(bearer(admin), host.id, { tier: "gold" })).status).toBe(200);
    const audit = (await (
      await call(`/api/v1/audit?action=host.set_tags&target=${host.id}`, { headers: bearer(admin) })
    ).json()) as { entries: { outcome: string; detail: Record<string, unknown> }[] };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]?.detail).toMatchObject({ tags: { tier: "gold" } });
  });
});
