import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  adminToken,
  connectAgent,
  echo,
  enrollHost,
  eventually,
  execPost,
  jobStub,
  type Script,
  type SimAgent,
} from "./agent-helpers";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

interface JobDetailBody {
  job: { id: string; reqid: string; status: string; succeeded_count: number; failed_count: number; host_count: number };
  hosts: {
    host_id: string;
    host_name: string;
    display_name: string;
    host_display_name: string;
    status: string;
    exit_code: number | null;
    output: string;
    stdout: string;
    stderr: string;
    output_truncated: boolean;
    error_message: string | null;
    agent_job_id: string;
  }[];
}

async function createJob(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const admin = await adminLogin();
  return call("/api/v1/jobs", { method: "POST", headers: { ...bearer(admin), ...headers }, json: body });
}

async function jobDetail(id: string): Promise<JobDetailBody> {
  const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) });
  expect(res.status).toBe(200);
  return (await res.json()) as JobDetailBody;
}

const finished = (id: string) =>
  eventually(async () => {
    const d = await jobDetail(id);
    return ["succeeded", "failed", "cancelled"].includes(d.job.status) ? d : undefined;
  });

describe("POST /api/v1/jobs: validation", () => {
  it("non-string args → 400 validation_error", async () => {
    const res = await createJob({ kind: "script", script: "echo", args: ["a", 1], host_ids: [crypto.randomUUID()] });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).code).toBe("validation_error");
  });

  it("kind other than script → 400", async () => {
    const res = await createJob({ kind: "patch_apply", script: "echo", host_ids: [crypto.randomUUID()] });
    expect(res.status).toBe(400);
  });

  it("a script name with a path or shell characters → 400", async () => {
    const res = await createJob({ kind: "script", script: "../sh;id", host_ids: [crypto.randomUUID()] });
    expect(res.status).toBe(400);
  });

  it("empty host_ids → 400 host_ids must not be empty (a job on 0 hosts)", async () => {
    const res = await createJob({ kind: "script", script: "echo", host_ids: [] });
    expect(res.status).toBe(400);
    expect(await nativeError(res)).toEqual({ code: "bad_request", message: "host_ids must not be empty" });
  });

  it("both host_ids and a filter, or neither → 400", async () => {
    expect((await createJob({ kind: "script", script: "echo" })).status).toBe(400);
    const both = await createJob({
      kind: "script",
      script: "echo",
      host_ids: [crypto.randomUUID()],
      host_filter: { tag: "a" },
    });
    expect(both.status).toBe(400);
  });

  it("unknown host ids → 400 naming them", async () => {
    const id = crypto.randomUUID();
    const res = await createJob({ kind: "script", script: "echo", host_ids: [id] });
    expect(res.status).toBe(400);
    expect(await nativeError(res)).toEqual({ code: "bad_request", message: `Unknown hosts: ${id}` });
  });

  it("a filter that matches no host → 422 no_hosts", async () => {
    const res = await createJob({ kind: "script", script: "echo", host_filter: { tag: `nothing-${Date.now()}=x` } });
    expect(res.status).toBe(422);
    expect(await nativeError(res)).toEqual({ code: "no_hosts", message: "No hosts match the filter" });
  });

  it("an invalid error_threshold → 400", async () => {
    const res = await createJob({
      kind: "script",
      script: "echo",
      host_ids: [crypto.randomUUID()],
      error_threshold: "150%",
    });
    expect(res.status).toBe(400);
  });

  it("reporters cannot create jobs", async () => {
    const u = await userWithRole("reporter");
    const res = await call("/api/v1/jobs", {
      method: "POST",
      headers: bearer(u.session),
      json: { kind: "script", script: "echo", host_ids: [crypto.randomUUID()] },
    });
    expect(res.status).toBe(403);
  });
});

describe("script jobs", () => {
  it("run on hosts by id; GET /jobs/{id} has per-host rows with output; GET /jobs lists host_names", async () => {
    const [h1, h2] = await Promise.all([enrollHost(), enrollHost()]);
    const a1 = await connectAgent(h1, { scripts: { echo } });
    const a2 = await connectAgent(h2, { scripts: { echo: () => ({ exit_code: 2, stdout: "", stderr: "nope\n" }) } });
    const res = await createJob({ kind: "script", script: "echo", args: ["hi"], host_ids: [h1.id, h2.id], notes: "n" });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { id: string; reqid: string; message: string };
    expect(created).toEqual({
      id: expect.any(String),
      reqid: expect.stringMatching(/^[0-9a-f]{16}$/),
      message: "Job created",
    });
    const d = await finished(created.id);
    expect(d.job).toMatchObject({ status: "failed", succeeded_count: 1, failed_count: 1, host_count: 2 });
    const byName = Object.fromEntries(d.hosts.map((h) => [h.host_name, h]));
    expect(byName[h1.name]).toMatchObject({
      status: "succeeded",
      exit_code: 0,
      output: "hi\n",
      stdout: "hi\n",
      output_truncated: false,
    });
    expect(byName[h2.name]).toMatchObject({ status: "failed", exit_code: 2, stderr: "nope\n" });
    // Both names of the host's display name (linux-patch-manager.md §4 Jobs).
    expect(byName[h1.name]?.host_display_name).toBe(byName[h1.name]?.display_name);
    expect(byName[h1.name]?.host_display_name).toBe(h1.name);
    expect(byName[h1.name]?.agent_job_id).toBe(a1.runs[0]?.command_id);

    const list = (await (await call("/api/v1/jobs?limit=200", { headers: bearer(await adminLogin()) })).json()) as {
      jobs: { id: string; host_names: string[]; status: string }[];
      limit: number;
      offset: number;
    };
    const row = list.jobs.find((j) => j.id === created.id);
    expect(row?.host_names).toEqual([h1.name, h2.name].sort());
    expect(row?.status).toBe("failed");
    a1.close();
    a2.close();
  });

  it("a native job is visible on the ctrl-exec face by its reqid (async record)", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const created = (await (
      await createJob({ kind: "script", script: "echo", args: ["x"], host_ids: [host.id] })
    ).json()) as {
      id: string;
      reqid: string;
    };
    await finished(created.id);
    const res = await call(`/status/${created.reqid}`, { headers: { authorization: `Bearer ${await adminToken()}` } });
    expect(await res.json()).toMatchObject({
      ok: true,
      mode: "async",
      complete: true,
      hosts: { [host.name]: { status: "done", exit: 0, stdout: "x\n" } },
    });
    agent.close();
  });

  it("a ctrl-exec run is a native job (same job, two names)", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const run = (await (
      await execPost("/run", { hosts: [host.name], script: "echo", token: await adminToken() })
    ).json()) as {
      reqid: string;
    };
    const list = (await (await call("/api/v1/jobs?limit=200", { headers: bearer(await adminLogin()) })).json()) as {
      jobs: { id: string; reqid: string; mode: string }[];
    };
    const job = list.jobs.find((j) => j.reqid === run.reqid);
    expect(job?.mode).toBe("sync");
    const d = await jobDetail(job?.id ?? "");
    expect(d.job.status).toBe("succeeded");
    agent.close();
  });

  it("targets by tag (key=value) and by group", async () => {
    const tag = `t${Date.now()}`;
    const [h1, h2, h3] = await Promise.all([enrollHost(), enrollHost(), enrollHost()]);
    const agents = await Promise.all([
      connectAgent(h1, { scripts: { echo } }),
      connectAgent(h2, { scripts: { echo } }),
      // An agent-reported label is not a tag: h3 claims the tag and is never selected by it.
      connectAgent(h3, { scripts: { echo }, tags: { [tag]: "a" } }),
    ]);
    const admin = await adminLogin();
    for (const [h, value] of [
      [h1, "a"],
      [h2, "b"],
    ] as const) {
      const put = await call(`/api/v1/hosts/${h.id}/tags`, {
        method: "PUT",
        headers: bearer(admin),
        json: { tags: { [tag]: value } },
      });
      expect(put.status).toBe(200);
    }
    const byTag = (await (
      await createJob({ kind: "script", script: "echo", host_filter: { tag: `${tag}=a` } })
    ).json()) as {
      id: string;
    };
    expect((await finished(byTag.id)).hosts.map((h) => h.host_name)).toEqual([h1.name]);
    const anyValue = (await (await createJob({ kind: "script", script: "echo", host_filter: { tag } })).json()) as {
      id: string;
    };
    expect((await finished(anyValue.id)).hosts.map((h) => h.host_name).sort()).toEqual([h1.name, h2.name].sort());

    const g = (await (
      await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `g-${tag}` } })
    ).json()) as {
      id: string;
    };
    await call(`/api/v1/hosts/${h3.id}/groups`, { method: "POST", headers: bearer(admin), json: { group_id: g.id } });
    const byGroup = (await (
      await createJob({ kind: "script", script: "echo", host_filter: { group_id: g.id } })
    ).json()) as {
      id: string;
    };
    expect((await finished(byGroup.id)).hosts.map((h) => h.host_name)).toEqual([h3.name]);
    for (const a of agents) a.close();
  });

  it("Idempotency-Key: a repeat returns the same job; another request with the key → 409", async () => {
    const host = await enrollHost();
    const key = `k-${crypto.randomUUID()}`;
    const body = { kind: "script", script: "echo", host_ids: [host.id] };
    const first = (await (await createJob(body, { "idempotency-key": key })).json()) as { id: string };
    const again = await createJob(body, { "idempotency-key": key });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    const other = await createJob({ ...body, args: ["different"] }, { "idempotency-key": key });
    expect(other.status).toBe(409);
  });

  it("the same script already pending on a host → 409 conflict", async () => {
    const host = await enrollHost();
    const body = { kind: "script", script: "locked-one", host_ids: [host.id] };
    expect((await createJob(body)).status).toBe(200);
    const res = await createJob(body);
    expect(res.status).toBe(409);
    expect((await nativeError(res)).code).toBe("conflict");
  });

  it("fans out in waves of max_parallel", async () => {
    const hosts = await Promise.all([enrollHost(), enrollHost(), enrollHost()]);
    const agents = await Promise.all(hosts.map((h) => connectAgent(h, { scripts: { slow: () => "hang" } })));
    const created = (await (
      await createJob({ kind: "script", script: "slow", host_ids: hosts.map((h) => h.id), max_parallel: 1 })
    ).json()) as { id: string };
    const done = new Set<SimAgent>();
    for (let wave = 1; wave <= 3; wave++) {
      const current = await eventually(async () => agents.find((a) => a.runs.length === 1 && !done.has(a)));
      const p = await jobStub(created.id).progress();
      // One host holds the command; the others wait (pending) or are done.
      expect(p.hosts.filter((h) => h.status === "dispatched" || h.status === "running")).toHaveLength(1);
      expect(p.hosts.filter((h) => h.status === "pending")).toHaveLength(3 - wave);
      done.add(current);
      const run = current.runs[0];
      if (!run) throw new Error("no run");
      current.finish(run.command_id, { exit_code: 0, stdout: `wave ${wave}\n` });
    }
    const d = await finished(created.id);
    expect(d.job.status).toBe("succeeded");
    for (const a of agents) a.close();
  });

  it("stops dispatching past the error threshold; the rest are cancelled", async () => {
    const hosts = await Promise.all([enrollHost(), enrollHost(), enrollHost(), enrollHost()]);
    const fail: Script = () => ({ exit_code: 1, stderr: "boom\n" });
    const agents = await Promise.all(hosts.map((h) => connectAgent(h, { scripts: { f: fail } })));
    const created = (await (
      await createJob({
        kind: "script",
        script: "f",
        host_ids: hosts.map((h) => h.id),
        max_parallel: 1,
        error_threshold: 1,
      })
    ).json()) as { id: string };
    const d = await finished(created.id);
    expect(d.job.status).toBe("failed");
    expect(d.hosts.map((h) => h.status).sort()).toEqual(["cancelled", "cancelled", "failed", "failed"]);
    expect(
      d.hosts.filter((h) => h.status === "cancelled").every((h) => h.error_message === "error threshold exceeded"),
    ).toBe(true);
    expect(agents.reduce((n, a) => n + a.executed.length, 0)).toBe(2);
    for (const a of agents) a.close();
  });

  it("a percentage threshold: more than 50 % failed", async () => {
    const hosts = await Promise.all([enrollHost(), enrollHost(), enrollHost(), enrollHost()]);
    const agents = await Promise.all(
      hosts.map((h, i) => connectAgent(h, { scripts: { f: () => ({ exit_code: i < 3 ? 1 : 0 }) } })),
    );
    const created = (await (
      await createJob({
        kind: "script",
        script: "f",
        host_ids: hosts.map((h) => h.id),
        max_parallel: 1,
        error_threshold: "50%",
      })
    ).json()) as { id: string };
    const d = await finished(created.id);
    // Hosts run in request order: 2 failures = 50 % (not more), the 3rd makes 75 % → the 4th is cancelled.
    expect(d.hosts.filter((h) => h.status === "failed")).toHaveLength(3);
    expect(d.hosts.filter((h) => h.status === "cancelled")).toHaveLength(1);
    for (const a of agents) a.close();
  });

  it("cancel during a run: the agent is told to stop; finished jobs → 409 invalid_state", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const created = (await (await createJob({ kind: "script", script: "slow", host_ids: [host.id] })).json()) as {
      id: string;
    };
    await eventually(async () => (await jobDetail(created.id)).hosts[0]?.status === "running");
    const admin = await adminLogin();
    const res = await call(`/api/v1/jobs/${created.id}/cancel`, { method: "POST", headers: bearer(admin) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Job cancelled" });
    await agent.waitFor((f) => f.type === "cancel");
    const d = await finished(created.id);
    expect(d.job.status).toBe("cancelled");
    expect(d.hosts[0]?.status).toBe("cancelled");
    const again = await call(`/api/v1/jobs/${created.id}/cancel`, { method: "POST", headers: bearer(admin) });
    expect(again.status).toBe(409);
    expect(await nativeError(again)).toEqual({
      code: "invalid_state",
      message: "Cannot cancel a job in 'cancelled' state; only queued or pending jobs may be cancelled",
    });
    agent.close();
  });

  it("output beyond 64 KiB goes to R2; the job keeps a preview; the full output is served", async () => {
    const host = await enrollHost();
    const big = `${"é".repeat(40_000)}end\n`; // 80 KiB of UTF-8
    const agent = await connectAgent(host, { scripts: { big: () => ({ exit_code: 0, stdout: big, stderr: "" }) } });
    const created = (await (await createJob({ kind: "script", script: "big", host_ids: [host.id] })).json()) as {
      id: string;
      reqid: string;
    };
    const d = await finished(created.id);
    const row = d.hosts[0];
    expect(row?.output_truncated).toBe(true);
    expect(new TextEncoder().encode(row?.stdout ?? "").length).toBeLessThanOrEqual(64 * 1024);
    expect(big.startsWith(row?.stdout ?? "x")).toBe(true);
    const stored = await env.EXPORTS.get(`jobs/${created.id}/${host.id}.stdout`);
    expect(await stored?.text()).toBe(big);
    const full = await call(`/api/v1/jobs/${created.id}/hosts/${host.id}/output`, {
      headers: bearer(await adminLogin()),
    });
    expect(await full.text()).toBe(big);
    const status = (await (
      await call(`/status/${created.reqid}`, { headers: { authorization: `Bearer ${await adminToken()}` } })
    ).json()) as { hosts: Record<string, { stdout: string }> };
    expect(status.hosts[host.name]?.stdout).toBe(big);
    agent.close();
  });

  it("operators see only jobs on hosts they may see", async () => {
    const host = await enrollHost();
    const admin = await adminLogin();
    const g = (await (
      await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `private-${Date.now()}` } })
    ).json()) as { id: string };
    await call(`/api/v1/hosts/${host.id}/groups`, { method: "POST", headers: bearer(admin), json: { group_id: g.id } });
    const created = (await (await createJob({ kind: "script", script: "x", host_ids: [host.id] })).json()) as {
      id: string;
    };
    const op = await userWithRole("operator");
    const res = await call(`/api/v1/jobs/${created.id}`, { headers: bearer(op.session) });
    expect(res.status).toBe(403);
    expect(await nativeError(res)).toEqual({ code: "forbidden", message: "Access denied" });
    const create = await call("/api/v1/jobs", {
      method: "POST",
      headers: bearer(op.session),
      json: { kind: "script", script: "x2", host_ids: [host.id] },
    });
    expect(create.status).toBe(400);
  });

  it("unknown job → 404 Job not found", async () => {
    const res = await call(`/api/v1/jobs/${crypto.randomUUID()}`, { headers: bearer(await adminLogin()) });
    expect(res.status).toBe(404);
    expect(await nativeError(res)).toEqual({ code: "not_found", message: "Job not found" });
  });
});
