import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually } from "../agent-helpers";
import { adminLogin, bearer, userWithRole } from "../auth-helpers";
import { call } from "../helpers";

interface Detail {
  job: { status: string; args: unknown };
  hosts: { host_id: string; stdout: string }[];
}

/** A finished job on two hosts: one ungrouped (visible to all), one in a group the reporter is not in. */
async function mixedJob() {
  const admin = bearer(await adminLogin());
  const [open, restricted] = await Promise.all([enrollHost(), enrollHost()]);
  const g = (await (
    await call("/api/v1/groups", {
      method: "POST",
      headers: admin,
      json: { name: `jv-${crypto.randomUUID().slice(0, 8)}` },
    })
  ).json()) as { id: string };
  await call(`/api/v1/hosts/${restricted.id}/groups`, { method: "POST", headers: admin, json: { group_id: g.id } });
  const agents = await Promise.all([
    connectAgent(open, { scripts: { echo: () => ({ exit_code: 0, stdout: "open-ok\n", stderr: "" }) } }),
    connectAgent(restricted, { scripts: { echo: () => ({ exit_code: 0, stdout: "SECRET-OUTPUT\n", stderr: "" }) } }),
  ]);
  const created = (await (
    await call("/api/v1/jobs", {
      method: "POST",
      headers: admin,
      json: { kind: "script", script: "echo", args: ["db-password=hunter2"], host_ids: [open.id, restricted.id] },
    })
  ).json()) as { id: string };
  await eventually(async () => {
    const d = (await (await call(`/api/v1/jobs/${created.id}`, { headers: admin })).json()) as Detail;
    return ["succeeded", "failed"].includes(d.job.status) ? d : undefined;
  });
  for (const a of agents) a.close();
  return { id: created.id, open, restricted };
}

describe("finding 1: job data is authorized per host", () => {
  it("a reporter sees only the rows of hosts it may see, no args, and 404 for an invisible host's output", async () => {
    const { id, open, restricted } = await mixedJob();
    const reporter = await userWithRole("reporter");
    const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(reporter.session) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("SECRET-OUTPUT");
    expect(text).not.toContain("hunter2");
    const d = JSON.parse(text) as Detail;
    expect(d.hosts.map((h) => h.host_id)).toEqual([open.id]);
    const out = await call(`/api/v1/jobs/${id}/hosts/${restricted.id}/output?stream=stdout`, {
      headers: bearer(reporter.session),
    });
    expect(out.status).toBe(404);
    const own = await call(`/api/v1/jobs/${id}/hosts/${open.id}/output?stream=stdout`, {
      headers: bearer(reporter.session),
    });
    expect(own.status).toBe(200);
  }, 60_000);

  it("GET /jobs lists only the visible hosts' names", async () => {
    const { id, open, restricted } = await mixedJob();
    const reporter = await userWithRole("reporter");
    const list = (await (await call("/api/v1/jobs?limit=200", { headers: bearer(reporter.session) })).json()) as {
      jobs: { id: string; host_names: string[] }[];
    };
    const names = list.jobs.find((j) => j.id === id)?.host_names ?? [];
    expect(names).toContain(open.name);
    expect(names).not.toContain(restricted.name);
  }, 60_000);

  it("ctrl-exec GET /status/{reqid} shows only the hosts the caller may see", async () => {
    const { id, open, restricted } = await mixedJob();
    const admin = bearer(await adminLogin());
    const { job } = (await (await call(`/api/v1/jobs/${id}`, { headers: admin })).json()) as {
      job: { reqid: string };
    };
    const reporter = await userWithRole("reporter");
    const res = await call(`/status/${job.reqid}`, { headers: bearer(reporter.session) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("SECRET-OUTPUT");
    expect(text).not.toContain(restricted.name);
    expect(text).toContain(open.name);
  }, 60_000);

  it("an admin still sees every row and the args", async () => {
    const { id } = await mixedJob();
    const d = (await (await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) })).json()) as Detail;
    expect(d.hosts).toHaveLength(2);
    expect(JSON.stringify(d.job.args)).toContain("hunter2");
  }, 60_000);
});
