import { describe, expect, it } from "vitest";
import { backoff, ChunkBuffer, StreamFrame } from "./job-stream";

describe("backoff", () => {
  it("doubles from 1 s, caps at 30 s, and jitters ±50 %", () => {
    expect(backoff(0, () => 0)).toBe(500);
    expect(backoff(0, () => 0.999)).toBe(1499);
    expect(backoff(3, () => 0.5)).toBe(8000);
    expect(backoff(20, () => 0.5)).toBe(30_000);
  });
});

describe("ChunkBuffer", () => {
  it("orders chunks by seq and keeps one copy of a chunk seen twice (after a reconnect)", () => {
    const b = new ChunkBuffer();
    b.add("h1", "stdout", 1, "b");
    b.add("h1", "stdout", 0, "a");
    b.add("h1", "stdout", 1, "b");
    b.add("h1", "stderr", 0, "err");
    expect(b.text("h1", "stdout")).toBe("ab");
    expect(b.text("h1", "stderr")).toBe("err");
    expect(b.text("h2", "stdout")).toBe("");
  });

  it("tells when the start of the output was missed and counts gaps", () => {
    const b = new ChunkBuffer();
    b.add("h1", "stdout", 2, "c");
    b.add("h1", "stdout", 5, "f");
    expect(b.missedStart("h1")).toBe(true);
    expect(b.gaps("h1", "stdout")).toBe(2);
    b.add("h1", "stdout", 0, "a");
    expect(b.missedStart("h1")).toBe(false);
  });
});

describe("StreamFrame", () => {
  it("accepts LPM job_update frames and output chunks, rejects junk", () => {
    expect(StreamFrame.safeParse({ job_id: "j", host_id: "", status: "cancelled", event_type: "job" }).success).toBe(
      true,
    );
    expect(
      StreamFrame.safeParse({ event_type: "output", job_id: "j", host_id: "h", stream: "stdout", seq: 0, data: "x" })
        .success,
    ).toBe(true);
    expect(StreamFrame.safeParse({ error: "internal_error" }).success).toBe(false);
  });
});
