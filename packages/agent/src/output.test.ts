import { describe, expect, it } from "vitest";
import { fitResultFrame, OutputCollector, utf8Prefix } from "./output";

describe("utf8Prefix", () => {
  it("never cuts inside a multi-byte character", () => {
    const text = Buffer.from("aé€😀", "utf8"); // 1 + 2 + 3 + 4 bytes
    expect(utf8Prefix(text, 2).toString()).toBe("a");
    expect(utf8Prefix(text, 3).toString()).toBe("aé");
    expect(utf8Prefix(text, 5).toString()).toBe("aé");
    expect(utf8Prefix(text, 6).toString()).toBe("aé€");
    expect(utf8Prefix(text, 9).toString()).toBe("aé€");
    expect(utf8Prefix(text, 10).toString()).toBe("aé€😀");
  });
});

describe("OutputCollector", () => {
  it("joins a character split across two reads in the stream", () => {
    const chunks: string[] = [];
    const collector = new OutputCollector(1024, 1024, (_seq, data) => chunks.push(data));
    const euro = Buffer.from("€", "utf8");
    collector.push(euro.subarray(0, 1));
    collector.push(euro.subarray(1));
    expect(collector.finish()).toBe("€");
    expect(chunks.join("")).toBe("€");
    expect(collector.truncated).toBe(false);
  });

  it("is not truncated at exactly the cap, and is one byte past it", () => {
    const exact = new OutputCollector(10, 10, () => {});
    exact.push(Buffer.alloc(10, 0x61));
    expect(exact.truncated).toBe(false);
    const over = new OutputCollector(10, 10, () => {});
    over.push(Buffer.alloc(11, 0x61));
    expect(over.truncated).toBe(true);
    expect(over.finish()).toBe("a".repeat(10));
  });
});

describe("fitResultFrame", () => {
  it("shrinks output whose JSON escaping would exceed the frame limit, and marks it truncated", () => {
    const control = "\u0001".repeat(256 * 1024); // 256 KiB raw, 1.5 MiB as JSON
    const frame = fitResultFrame({ type: "result", stdout: control, stderr: "ok\n", truncated: false });
    expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(960 * 1024);
    expect(frame.truncated).toBe(true);
    expect(frame.stdout.length).toBeGreaterThan(100_000);
  });

  it("leaves a frame that fits unchanged", () => {
    const frame = { type: "result", stdout: "hello\n", stderr: "", truncated: false };
    expect(fitResultFrame(frame)).toBe(frame);
  });

  it("never ends on half of a surrogate pair", () => {
    const frame = fitResultFrame({ stdout: "😀".repeat(1000), stderr: "", truncated: false }, 1000);
    expect(frame.stdout.length % 2).toBe(0);
  });
});
