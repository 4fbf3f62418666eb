import { describe, expect, it } from "vitest";
import { CoalescedRun } from "./coalesced-run";

/** A round that waits until released, recording the change counter it started with. */
function gatedRounds() {
  let changes = 0;
  const starts: number[] = [];
  const gates: (() => void)[] = [];
  let failNext = false;
  const run = new CoalescedRun(async () => {
    starts.push(changes);
    const fail = failNext;
    failNext = false;
    await new Promise<void>((resolve) => gates.push(resolve));
    if (fail) throw new Error("round failed");
  });
  return {
    run,
    starts,
    change: () => ++changes,
    failNextRound: () => {
      failNext = true;
    },
    /** Waits (microtasks only) until `n` rounds have started. */
    async started(n: number) {
      for (let i = 0; i < 100 && starts.length < n; i++) await Promise.resolve();
      expect(starts.length).toBe(n);
    },
    releaseOne: () => gates.shift()?.(),
  };
}

describe("CoalescedRun", () => {
  it("calls arriving during a round share the next one, which starts after all of them: N callers, two rounds", async () => {
    const g = gatedRounds();
    g.change();
    const first = g.run.run();
    await g.started(1);
    const later = Array.from({ length: 10 }, () => {
      g.change();
      return g.run.run();
    });
    g.releaseOne();
    await first;
    await g.started(2);
    g.releaseOne();
    await Promise.all(later);
    // Round 1 saw the first change; round 2 began after all eleven.
    expect(g.starts).toEqual([1, 11]);
  });

  it("calls before the round has started join it", async () => {
    const g = gatedRounds();
    const calls = [g.run.run(), g.run.run(), g.run.run()];
    await g.started(1);
    g.releaseOne();
    await Promise.all(calls);
    expect(g.starts).toHaveLength(1);
  });

  it("a failed round fails its callers; the next round runs again", async () => {
    const g = gatedRounds();
    g.failNextRound();
    const failing = g.run.run();
    await g.started(1);
    g.releaseOne();
    await expect(failing).rejects.toThrow("round failed");
    const next = g.run.run();
    await g.started(2);
    g.releaseOne();
    await expect(next).resolves.toBeUndefined();
    expect(g.starts).toHaveLength(2);
  });

  it("with a gather step, calls arriving while it waits (separate events) join the same round", async () => {
    let rounds = 0;
    let open: (() => void) | undefined;
    const run = new CoalescedRun(
      async () => {
        rounds++;
      },
      () =>
        new Promise<void>((resolve) => {
          open = resolve;
        }),
    );
    const first = run.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const second = run.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const third = run.run();
    for (let i = 0; i < 10 && !open; i++) await Promise.resolve();
    expect(open).toBeDefined();
    open?.();
    await Promise.all([first, second, third]);
    expect(rounds).toBe(1);
    // The next call after that round opens a new one.
    const fourth = run.run();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    open?.();
    await fourth;
    expect(rounds).toBe(2);
  });
});
