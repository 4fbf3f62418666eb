import { describe, expect, it } from "vitest";
import { finalStatus, hostOutcome, preview, thresholdExceeded } from "./job-state";

const result = (over: Record<string, unknown>) => ({
  type: "result" as const,
  command_id: "c",
  exit_code: 0,
  error: null,
  stdout: "",
  stderr: "",
  truncated: false,
  started_at: 1,
  finished_at: 2,
  ...over,
});

describe("job state machine (pure parts)", () => {
  it("maps agent results to host states", () => {
    expect(hostOutcome(result({}))).toEqual({ status: "succeeded", exitCode: 0, error: null });
    expect(hostOutcome(result({ exit_code: 3 }))).toEqual({ status: "failed", exitCode: 3, error: null });
    expect(hostOutcome(result({ exit_code: null, error: "timed_out" })).status).toBe("timed_out");
    expect(hostOutcome(result({ exit_code: null, error: "cancelled" })).status).toBe("cancelled");
    expect(hostOutcome(result({ exit_code: null, error: "expired" })).status).toBe("offline_expired");
    expect(hostOutcome(result({ exit_code: null, error: "not_allowlisted" }))).toEqual({
      status: "failed",
      exitCode: null,
      error: "not_allowlisted",
    });
    expect(hostOutcome(result({ exit_code: null, error: "interrupted" })).status).toBe("failed");
  });

  it("error thresholds: more than N, or more than N percent", () => {
    expect(thresholdExceeded(null, 100, 100)).toBe(false);
    expect(thresholdExceeded({ kind: "count", value: 2 }, 2, 10)).toBe(false);
    expect(thresholdExceeded({ kind: "count", value: 2 }, 3, 10)).toBe(true);
    expect(thresholdExceeded({ kind: "count", value: 0 }, 1, 10)).toBe(true);
    expect(thresholdExceeded({ kind: "percent", value: 50 }, 2, 4)).toBe(false);
    expect(thresholdExceeded({ kind: "percent", value: 50 }, 3, 4)).toBe(true);
    expect(thresholdExceeded({ kind: "percent", value: 10 }, 1, 9)).toBe(true);
  });

  it("final status: succeeded only when every host succeeded; cancelled wins", () => {
    expect(finalStatus({ succeeded: 3 }, false)).toBe("succeeded");
    expect(finalStatus({ succeeded: 2, offline_expired: 1 }, false)).toBe("failed");
    expect(finalStatus({ succeeded: 3 }, true)).toBe("cancelled");
  });

  it("previews cut at a UTF-8 character boundary", () => {
    expect(preview("abc", 10)).toEqual({ text: "abc", truncated: false });
    const p = preview("ééé", 3); // 6 bytes; 3 would split the second é
    expect(p).toEqual({ text: "é", truncated: true });
    expect(preview("a€b", 3)).toEqual({ text: "a", truncated: true });
  });
});
