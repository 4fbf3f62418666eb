import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff";

describe("Backoff", () => {
  it("doubles the ceiling up to the cap (random = just under 1)", () => {
    const backoff = new Backoff(1000, 60_000, () => 0.999_999);
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999, 59_999]);
  });

  it("uses full jitter: any delay from 0 up to the ceiling", () => {
    const backoff = new Backoff(1000, 60_000, () => 0);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 0, 0]);
    const half = new Backoff(1000, 60_000, () => 0.5);
    expect([half.next(), half.next(), half.next()]).toEqual([500, 1000, 2000]);
  });

  it("starts over after reset", () => {
    const backoff = new Backoff(1000, 60_000, () => 0.5);
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});
