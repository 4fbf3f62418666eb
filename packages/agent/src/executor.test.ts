import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExecRequest, execute } from "./executor";
import { cleanupTempDirs, tempDir, writeTestScripts } from "./test-support/fixtures";

let scripts: Record<string, string>;
beforeAll(async () => {
  scripts = await writeTestScripts(await tempDir());
});
afterAll(cleanupTempDirs);

function request(path: string, args: string[] = [], overrides: Partial<ExecRequest> = {}): ExecRequest {
  return {
    commandId: "cmd-1",
    reqid: "0123456789abcdef",
    script: "test",
    path,
    args,
    timeoutMs: 20_000,
    streamCapBytes: 1024 * 1024,
    storeCapBytes: 256 * 1024,
    ...overrides,
  };
}

const noOutput = { onOutput: () => {} };

describe("execute", { timeout: 30_000 }, () => {
  it("passes shell metacharacters to the script as literal argv", async () => {
    const args = [
      "; rm -rf /",
      "$(id)",
      "`id`",
      '"double"',
      "'single'",
      "a b",
      "&& echo pwned",
      "|",
      ">x",
      "*",
      "\\",
      "",
    ];
    const outcome = await execute(request(scripts.echoargs ?? "", args), noOutput).done;
    expect(outcome.error).toBeNull();
    expect(outcome.exit_code).toBe(0);
    expect(outcome.stdout).toBe(args.map((a) => `[${a}]\n`).join(""));
  });

  it("kills a command that exceeds its timeout with SIGTERM", async () => {
    const outcome = await execute(request(scripts.sleeper ?? "", [], { timeoutMs: 300 }), noOutput).done;
    expect(outcome.error).toBe("timed_out");
    expect(outcome.exit_code).toBeNull();
    expect(outcome.signal).toBe("SIGTERM");
    expect(outcome.stdout).toBe("started\n");
  });

  it("escalates to SIGKILL when a command ignores SIGTERM", async () => {
    const outcome = await execute(request(scripts.stubborn ?? "", [], { timeoutMs: 300 }), {
      ...noOutput,
      killGraceMs: 200,
    }).done;
    expect(outcome.error).toBe("timed_out");
    expect(outcome.signal).toBe("SIGKILL");
  });

  it("caps stored output and marks the result truncated", async () => {
    const outcome = await execute(
      request(scripts.flood ?? "", [], { storeCapBytes: 1000, streamCapBytes: 4096 }),
      noOutput,
    ).done;
    expect(outcome.exit_code).toBe(0);
    expect(outcome.truncated).toBe(true);
    expect(outcome.stdout).toHaveLength(1000);
    expect(outcome.stderr).toBe("done\n");
  });

  it("streams at most the stream cap, in chunks of at most 64 KiB with consecutive seq numbers", async () => {
    const chunks: { stream: string; seq: number; data: string }[] = [];
    const outcome = await execute(request(scripts.flood ?? "", [], { streamCapBytes: 200_000 }), {
      onOutput: (stream, seq, data) => chunks.push({ stream, seq, data }),
    }).done;
    const stdout = chunks.filter((c) => c.stream === "stdout");
    expect(stdout.map((c) => c.seq)).toEqual(stdout.map((_, i) => i));
    expect(stdout.every((c) => c.data.length <= 64 * 1024)).toBe(true);
    expect(stdout.reduce((n, c) => n + c.data.length, 0)).toBe(200_000);
    expect(outcome.truncated).toBe(true);
  });

  it("stops a command on cancel and reports cancelled", async () => {
    const execution = execute(request(scripts.sleeper ?? ""), noOutput);
    setTimeout(() => execution.stop("cancelled"), 200);
    const outcome = await execution.done;
    expect(outcome.error).toBe("cancelled");
    expect(outcome.exit_code).toBeNull();
  });

  it("reports spawn_failed for a script that is not executable", async () => {
    const outcome = await execute(request(scripts.noexec ?? ""), noOutput).done;
    expect(outcome.error).toBe("spawn_failed");
    expect(outcome.exit_code).toBeNull();
    expect(outcome.started_at).toBeNull();
    expect(outcome.stderr).toBe("spawn failed: EACCES\n");
  });

  it("gives the script a minimal environment and cwd /", async () => {
    process.env.FLEETGATE_TEST_SECRET = "must-not-leak";
    try {
      const outcome = await execute(request(scripts.env ?? ""), noOutput).done;
      const names = outcome.stdout
        .trim()
        .split("\n")
        .map((line) => line.split("=")[0]);
      expect(outcome.stdout).not.toContain("must-not-leak");
      expect(names).toEqual(
        expect.arrayContaining(["FLEETGATE_COMMAND_ID", "FLEETGATE_REQID", "FLEETGATE_SCRIPT", "HOME", "LANG", "PATH"]),
      );
      expect(outcome.stdout).toContain("PWD=/\n");
      expect(outcome.stdout).toContain("FLEETGATE_REQID=0123456789abcdef\n");
    } finally {
      delete process.env.FLEETGATE_TEST_SECRET;
    }
  });

  it("returns the exit code and stderr of a failing script", async () => {
    const outcome = await execute(request(scripts.fail ?? ""), noOutput).done;
    expect(outcome).toMatchObject({ exit_code: 7, error: null, stdout: "", stderr: "oops\n", truncated: false });
    expect(outcome.started_at).not.toBeNull();
  });
});
