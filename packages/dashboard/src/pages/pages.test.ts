import { describe, expect, it } from "vitest";
import { failingFirst } from "./health-checks.page";
import { failedHosts } from "./job-actions";
import { inZone } from "./maintenance.page";

describe("failingFirst", () => {
  it("orders failing, then never run, then healthy checks", () => {
    const base = { host_id: "h", check_type: "service", enabled: true, service_name: "s", url: null };
    const r = (healthy: boolean) => ({ healthy, detail: "", latency_ms: 1, checked_at: "2026-12-07T00:00:00Z" });
    const sorted = failingFirst([
      { ...base, id: "1", name: "b-ok", last_result: r(true) },
      { ...base, id: "2", name: "never", last_result: null },
      { ...base, id: "3", name: "a-bad", last_result: r(false) },
      { ...base, id: "4", name: "a-ok", last_result: r(true) },
    ]);
    expect(sorted.map((c) => c.name)).toEqual(["a-bad", "never", "a-ok", "b-ok"]);
  });
});

describe("inZone", () => {
  it("names the time zone it shows a time in", () => {
    expect(inZone("2026-12-07T22:30:00Z", "Asia/Tokyo")).toMatch(/\(Asia\/Tokyo\)$/);
    expect(inZone("2026-12-07T22:30:00Z", "Asia/Tokyo")).toMatch(/7:30|07:30/);
    expect(inZone(null, "UTC")).toBe("—");
    expect(inZone("2026-12-07T22:30:00Z", "Not/AZone")).toBe("2026-12-07T22:30:00.000Z (UTC)");
  });
});

describe("failedHosts", () => {
  it("retries failed, timed-out and never-reached hosts, not succeeded or cancelled ones", () => {
    const row = (host_id: string, status: string) => ({ host_id, status }) as never;
    expect(
      failedHosts([
        row("a", "succeeded"),
        row("b", "failed"),
        row("c", "timed_out"),
        row("d", "cancelled"),
        row("e", "offline_expired"),
      ]),
    ).toEqual(["b", "c", "e"]);
  });
});
