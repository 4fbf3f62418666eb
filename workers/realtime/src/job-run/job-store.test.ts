import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { JobPlan } from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { JobStore, MARK_DELIVERED_SQL } from "./job-store";

/**
 * The JobRun's store on a fresh, never-started JobRun (its constructor creates
 * the tables): the in-memory per-status counts stay equal to the rows whether a
 * status change is guarded by the status the caller read or that status is stale,
 * a delivery mark never touches a host that moved on, and one statement marks a
 * chunk synced with the version each row had when it was read.
 */
function plan(n: number): JobPlan {
  return {
    job_id: crypto.randomUUID(),
    reqid: "0123456789abcdef",
    script: "echo",
    args: [],
    mode: "async",
    timeout_seconds: 30,
    queue_ttl_seconds: 60,
    require_online: false,
    max_parallel: n,
    error_threshold: null,
    hosts: Array.from({ length: n }, (_, i) => ({
      host_id: crypto.randomUUID(),
      host_name: `store-${i}`,
      command_id: crypto.randomUUID(),
    })),
  };
}

function withStore(fn: (store: JobStore, sql: SqlStorage) => void): Promise<void> {
  const stub = env.JOBS.get(env.JOBS.idFromName(`job-store-test-${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => fn(new JobStore(state.storage.sql), state.storage.sql));
}

function countsInRows(sql: SqlStorage): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of sql.exec<{ status: string; n: number }>("SELECT status, count(*) AS n FROM hosts GROUP BY status")) {
    out[r.status] = r.n;
  }
  return out;
}

describe("JobStore", () => {
  it("keeps the counts equal to the rows with a current, a stale or no `from` status", async () => {
    const p = plan(3);
    const [a, b, c] = p.hosts.map((h) => h.command_id);
    await withStore((store, sql) => {
      store.create(p, Date.now());
      expect(store.counts()).toEqual({ pending: 3 });
      store.updateHost(a ?? "", { status: "dispatched" }, "pending");
      store.updateHost(b ?? "", { status: "dispatched" }, "pending");
      expect(store.counts()).toEqual(countsInRows(sql));
      // Stale: `a` is dispatched, not pending any more — the status is read and the row still written.
      store.updateHost(a ?? "", { status: "running", acked_at: 1 }, "pending");
      expect(store.host(a ?? "")).toMatchObject({ status: "running", acked_at: 1 });
      // Without `from` (the old status is read).
      store.updateHost(c ?? "", { status: "cancelled" });
      store.updateHost(b ?? "", { status: "succeeded", exit_code: 0 }, "dispatched");
      expect(store.counts()).toEqual({ running: 1, succeeded: 1, cancelled: 1 });
      expect(store.counts()).toEqual(countsInRows(sql));
    });
  });

  it("marks only a still-dispatched host as delivered", async () => {
    const p = plan(2);
    const [a, b] = p.hosts.map((h) => h.command_id);
    await withStore((store) => {
      store.create(p, Date.now());
      store.updateHost(a ?? "", { status: "dispatched" }, "pending");
      expect(store.markDelivered(a ?? "", "sent")).toBe(true);
      expect(store.host(a ?? "")?.delivery).toBe("sent");
      expect(store.markDelivered(b ?? "", "queued")).toBe(false); // Still pending.
      expect(store.host(b ?? "")?.delivery).toBeNull();
    });
  });

  it("marks many in one statement, each with its own delivery, skipping hosts that moved on", async () => {
    const p = plan(3);
    const [a, b, c] = p.hosts.map((h) => h.command_id);
    await withStore((store) => {
      store.create(p, Date.now());
      for (const id of [a, b, c]) store.updateHost(id ?? "", { status: "dispatched" }, "pending");
      store.updateHost(c ?? "", { status: "running", acked_at: 1 }, "dispatched"); // Acked meanwhile.
      const marked = store.markDeliveredMany([
        { command_id: a ?? "", delivery: "sent" },
        { command_id: b ?? "", delivery: "queued" },
        { command_id: c ?? "", delivery: "sent" },
      ]);
      expect(marked).toBe(2);
      expect([a, b, c].map((id) => store.host(id ?? "")?.delivery)).toEqual(["sent", "queued", null]);
      expect(store.markDeliveredMany([])).toBe(0);
    });
  });

  it("marks by primary-key lookups, never a scan of the dispatched hosts per mark", async () => {
    await withStore((_store, sql) => {
      const plan = sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${MARK_DELIVERED_SQL}`, "[]")
        .toArray()
        .map((r) => r.detail);
      // json_each is the outer loop; each mark finds its row by command_id (not via hosts_status).
      expect(plan.some((d) => /^SEARCH hosts USING INDEX sqlite_autoindex_hosts_\d+ \(command_id=\?\)/.test(d))).toBe(
        true,
      );
      expect(plan.some((d) => d.includes("hosts_status"))).toBe(false);
    });
  });

  it("marks a chunk synced at the version each row had when read; a later change stays dirty", async () => {
    const p = plan(3);
    const [a, b] = p.hosts.map((h) => h.command_id);
    await withStore((store) => {
      store.create(p, Date.now());
      const read = store.unsynced(50);
      expect(read).toHaveLength(3);
      store.updateHost(b ?? "", { status: "dispatched" }, "pending"); // Changed after the read.
      store.markSynced(read, undefined);
      const dirty = store.unsynced(50).map((r) => r.command_id);
      expect(dirty).toEqual([b]);
      expect(dirty).not.toContain(a);
      store.markSynced(store.unsynced(50), undefined);
      expect(store.unsynced(50)).toEqual([]);
    });
  });
});
