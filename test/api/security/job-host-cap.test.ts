import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "../auth-helpers";
import { call, nativeError } from "../helpers";
import { createGroup, seedManyHosts } from "../task-helpers";

/**
 * Issue 11 (low): a native `host_filter` job had no host cap, while `host_ids`
 * is limited to 10,000. A filter matching more hosts than that is refused
 * before anything is created.
 */
async function groupOf(n: number, prefix: string): Promise<string> {
  await seedManyHosts(n, prefix);
  const group = await createGroup();
  await env.DB.prepare("INSERT INTO host_groups (host_id, group_id) SELECT id, ? FROM hosts WHERE name LIKE ? || '-%'")
    .bind(group, prefix)
    .run();
  return group;
}

async function jobsNow(): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM jobs").first<{ n: number }>();
  return row?.n ?? 0;
}

describe("host_filter host cap", () => {
  it("a filter matching more than 10,000 hosts is 400 and creates no job", async () => {
    const group = await groupOf(10_001, `cap-${crypto.randomUUID().slice(0, 8)}`);
    const before = await jobsNow();
    const res = await call("/api/v1/jobs", {
      method: "POST",
      headers: bearer(await adminLogin()),
      json: { kind: "script", script: "echo", host_filter: { group_id: group } },
    });
    expect(res.status).toBe(400);
    expect(await nativeError(res)).toEqual({
      code: "validation_error",
      message: "host_filter matches more than 10000 hosts; narrow it",
    });
    expect(await jobsNow()).toBe(before);
  });
});
