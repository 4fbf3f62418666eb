import { env } from "cloudflare:workers";
import { createDb, expireDiscoveryScans } from "@fleetgate/domain";
import { runSweeps } from "@fleetgate/tasks";
import { describe, expect, it } from "vitest";

/** Shared workerd: run-unique scan ids, only these rows are asserted. */
async function seedScan(status: "running" | "completed", deadlineAt: number): Promise<string> {
  const id = crypto.randomUUID();
  await env.DB.prepare(
    `INSERT INTO discovery_scans (id, cidr, agent_port, via_host_id, status, probed, error, created_by, created_at, deadline_at, completed_at)
     VALUES (?, '127.0.0.0/29', 12443, NULL, ?, 0, NULL, NULL, ?, ?, ?)`,
  )
    .bind(id, status, deadlineAt - 1000, deadlineAt, status === "completed" ? deadlineAt - 10 : null)
    .run();
  return id;
}

const row = (id: string) =>
  env.DB.prepare("SELECT status, error, completed_at FROM discovery_scans WHERE id = ?")
    .bind(id)
    .first<{ status: string; error: string | null; completed_at: number | null }>();

describe("expired discovery scans", () => {
  it("the sweep stores running scans past their deadline as failed and leaves the others alone", async () => {
    const now = Date.now();
    const overdue = await seedScan("running", now - 5_000);
    const current = await seedScan("running", now + 600_000);
    const finished = await seedScan("completed", now - 5_000);
    const marked = await expireDiscoveryScans({ db: createDb(env.DB) }, now);
    expect(marked).toContain(overdue);
    expect(marked).not.toContain(current);
    expect(marked).not.toContain(finished);
    expect(await row(overdue)).toEqual({
      status: "failed",
      error: "The scanning agent did not finish in time",
      completed_at: now,
    });
    expect(await row(current)).toMatchObject({ status: "running", error: null, completed_at: null });
    expect(await row(finished)).toMatchObject({ status: "completed", error: null });
    // Idempotent: a second pass marks it no more.
    expect(await expireDiscoveryScans({ db: createDb(env.DB) }, now + 1)).not.toContain(overdue);
  });

  it("runs as a cron sweep", async () => {
    const overdue = await seedScan("running", Date.now() - 1_000);
    const out = await runSweeps(env, Date.now());
    expect(out.find((s) => s.name === "discovery.expired_scans")).toEqual({ name: "discovery.expired_scans" });
    expect((await row(overdue))?.status).toBe("failed");
  });
});
