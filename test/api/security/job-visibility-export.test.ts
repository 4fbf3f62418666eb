import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually } from "../agent-helpers";
import { adminLogin, bearer, userWithRole } from "../auth-helpers";
import { call } from "../helpers";
import { download, pollTask } from "../task-helpers";

/** A finished job on an ungrouped host and on a host in a group the reporter is not in. */
async function mixedJob(tag: string) {
  const admin = bearer(await adminLogin());
  const [open, restricted] = await Promise.all([enrollHost(), enrollHost()]);
  const g = (await (
    await call("/api/v1/groups", { method: "POST", headers: admin, json: { name: `jve-${tag}` } })
  ).json()) as { id: string };
  await call(`/api/v1/hosts/${restricted.id}/groups`, { method: "POST", headers: admin, json: { group_id: g.id } });
  const agents = await Promise.all([
    connectAgent(open, { scripts: { echo: () => ({ exit_code: 0, stdout: `open-${tag}\n`, stderr: "" }) } }),
    connectAgent(restricted, { scripts: { echo: () => ({ exit_code: 0, stdout: `SECRET-${tag}\n`, stderr: "" }) } }),
  ]);
  const created = (await (
    await call("/api/v1/jobs", {
      method: "POST",
      headers: admin,
      json: { kind: "script", script: "echo", args: [`pw-${tag}`], host_ids: [open.id, restricted.id] },
    })
  ).json()) as { id: string };
  await eventually(async () => {
    const d = (await (await call(`/api/v1/jobs/${created.id}`, { headers: admin })).json()) as {
      job: { status: string };
    };
    return ["succeeded", "failed"].includes(d.job.status) ? d : undefined;
  });
  for (const a of agents) a.close();
  return { id: created.id, open, restricted };
}

async function exportJobs(headers: Record<string, string>): Promise<string> {
  const res = await call("/api/v1/exports", { method: "POST", headers, json: { kind: "jobs", format: "csv" } });
  expect(res.status).toBe(202);
  const { task_id } = (await res.json()) as { task_id: string };
  const done = await pollTask(task_id, headers, 60_000);
  expect(done.status).toBe("SUCCESS");
  return (await download(done.download_url ?? "", headers)).text();
}

describe("finding 1: the jobs export is authorized per host", () => {
  it("a reporter's export has only the visible host's row of a mixed job, never the other's output or the args", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { id, open, restricted } = await mixedJob(tag);
    const reporter = await userWithRole("reporter");
    const csv = await exportJobs(bearer(reporter.session));
    const lines = csv.split("\r\n").filter((l) => l.startsWith(id));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(open.id);
    expect(csv).toContain(`open-${tag}`);
    expect(csv).not.toContain(restricted.id);
    expect(csv).not.toContain(`SECRET-${tag}`);
    expect(csv).not.toContain(`pw-${tag}`);
    // The admin's export still has both rows.
    const all = await exportJobs(bearer(await adminLogin()));
    expect(all.split("\r\n").filter((l) => l.startsWith(id))).toHaveLength(2);
    expect(all).toContain(`SECRET-${tag}`);
  }, 90_000);
});
