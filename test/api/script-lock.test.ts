import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { enrollHost } from "./agent-helpers";

const insertJob = (id: string, script: string) =>
  env.DB.prepare(
    "INSERT INTO jobs (id, reqid, kind, script, args, mode, status, options, notes, host_count, succeeded_count, failed_count, created_at) VALUES (?, ?, 'script', ?, '[]', 'async', 'queued', '{}', '', 1, 0, 0, ?)",
  ).bind(id, crypto.randomUUID().replace(/-/g, "").slice(0, 16), script, Date.now());
const insertHost = (jobId: string, hostId: string, name: string) =>
  env.DB.prepare("INSERT INTO job_hosts (id, job_id, host_id, host_name, status) VALUES (?, ?, ?, ?, 'pending')").bind(
    crypto.randomUUID(),
    jobId,
    hostId,
    name,
  );

it("the database refuses a second active job of the same script on a host, atomically with the job insert", async () => {
  const host = await enrollHost();
  const first = crypto.randomUUID();
  await env.DB.batch([insertJob(first, "slow"), insertHost(first, host.id, host.name)]);
  const second = crypto.randomUUID();
  await expect(env.DB.batch([insertJob(second, "slow"), insertHost(second, host.id, host.name)])).rejects.toThrow(
    /script locked/,
  );
  // the whole batch rolled back: no half-created job
  expect(await env.DB.prepare("SELECT id FROM jobs WHERE id = ?").bind(second).first()).toBeNull();
  // another script, or the same script once the first finished, is fine
  const other = crypto.randomUUID();
  await env.DB.batch([insertJob(other, "other"), insertHost(other, host.id, host.name)]);
  await env.DB.prepare("UPDATE job_hosts SET status = 'succeeded' WHERE job_id = ?").bind(first).run();
  const third = crypto.randomUUID();
  await env.DB.batch([insertJob(third, "slow"), insertHost(third, host.id, host.name)]);
});
