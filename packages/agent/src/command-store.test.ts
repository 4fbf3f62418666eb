import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandStore, MAX_STORED_COMMANDS, type ResultFrame } from "./command-store";
import { cleanupTempDirs, tempDir } from "./test-support/fixtures";

afterAll(cleanupTempDirs);

const entry = (id: string, expiresAt = Date.now() + 60_000) => ({
  command_id: id,
  reqid: "abcdef0123456789",
  script: "echoargs",
  expires_at: expiresAt,
  received_at: Date.now(),
});
const result = (id: string, stdout = ""): ResultFrame => ({
  type: "result",
  command_id: id,
  exit_code: 0,
  error: null,
  stdout,
  stderr: "",
  truncated: false,
  started_at: 1,
  finished_at: 2,
});

describe("CommandStore", () => {
  it("is on disk as running before begin() resolves", async () => {
    const dir = await tempDir();
    const { store } = await CommandStore.open(dir);
    await store.begin(entry("c1"));
    const file = JSON.parse(await readFile(path.join(dir, "commands.json"), "utf8"));
    expect(file.commands).toEqual([expect.objectContaining({ command_id: "c1", state: "running" })]);
  });

  it("turns a command left running by a crash into an undelivered 'interrupted' result", async () => {
    const dir = await tempDir();
    const { store } = await CommandStore.open(dir);
    await store.begin(entry("c1"));
    const reopened = await CommandStore.open(dir);
    expect(reopened.interrupted).toEqual(["c1"]);
    expect(reopened.store.get("c1")).toMatchObject({
      state: "done",
      delivered: false,
      result: { error: "interrupted" },
    });
    expect(reopened.store.undelivered().map((c) => c.command_id)).toEqual(["c1"]);
  });

  it("refuses to open a corrupt record instead of forgetting what ran", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "commands.json"), "{ truncated");
    await expect(CommandStore.open(dir)).rejects.toThrow("corrupt");
  });

  it("drops only delivered, expired entries when over the bound", async () => {
    const dir = await tempDir();
    const { store } = await CommandStore.open(dir);
    const past = Date.now() - 1000;
    for (let i = 0; i < MAX_STORED_COMMANDS + 5; i++) {
      const id = `c${i}`;
      // c0..c2 are still valid (future expiry), c3.. are expired.
      void store.finish(entry(id, i < 3 ? Date.now() + 60_000 : past), result(id));
      void store.markDelivered(id);
    }
    void store.finish(entry("undelivered", past), result("undelivered"));
    await store.flush();
    expect(store.size()).toBe(MAX_STORED_COMMANDS);
    expect(store.get("c0")).toBeDefined();
    expect(store.get("c1")).toBeDefined();
    expect(store.get("c2")).toBeDefined();
    expect(store.get("c3")).toBeUndefined();
    expect(store.get("undelivered")).toBeDefined();
  });
});
