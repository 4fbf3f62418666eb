import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildDeb,
  debToolsMissing,
  makeAptSandbox,
  readSandboxFile,
  sandboxRun,
  sandboxVersion,
  setSources,
  writeRepo,
} from "../test-support/deb-repo";
import { AptBackend } from "./apt-backend";
import type { PackageEnv } from "./package-env";
import { PackageRunner } from "./package-runner";
import { Vault } from "./vault";

/**
 * Real apt + dpkg in a temporary root (shared/reference/patching.md §5 level 2) with tiny packages
 * built here: nothing on the host is touched (maintainer scripts write under $DPKG_ROOT only).
 */
const missing = debToolsMissing();
if (missing) console.log(`skip: apt sandbox tests need Debian's tools: ${missing}`);

let work = "";
const repo = (name: string) => path.join(work, "repos", name);

function repoWith(name: string, debs: string[], suite = "bookworm"): string {
  const dir = repo(name);
  mkdirSync(dir, { recursive: true });
  for (const d of debs) copyFileSync(d, path.join(dir, path.basename(d)));
  writeRepo(dir, suite);
  return dir;
}

function sandbox(repos: string[], lockTimeoutSecs = 30): { env: PackageEnv; backend: AptBackend; base: string } {
  const base = mkdtempSync(path.join(work, "sb-"));
  const env = makeAptSandbox(base, repos, lockTimeoutSecs);
  sandboxRun(env, "apt-get", ["-q", "update"]);
  const backend = new AptBackend(new PackageRunner(env), new Vault(env.vaultDir));
  return { env, backend, base };
}

const debs: Record<string, string> = {};

describe.skipIf(missing !== null)(
  "apt sandbox: inventory → plan → apply → vault → exact rollback → hold",
  { timeout: 120_000 },
  () => {
    beforeAll(() => {
      work = mkdtempSync(path.join(tmpdir(), "fg-apt-"));
      const out = path.join(work, "debs");
      const conf = { "/etc/demo/demo.conf": "setting=1\n" };
      debs.demo1 = buildDeb(
        { name: "demo", version: "1.0-1", files: conf, conffiles: ["/etc/demo/demo.conf"] },
        work,
        out,
      );
      debs.demo2 = buildDeb(
        {
          name: "demo",
          version: "2.0-1",
          depends: "newdep",
          files: { "/etc/demo/demo.conf": "setting=2\n" },
          conffiles: ["/etc/demo/demo.conf"],
        },
        work,
        out,
      );
      debs.newdep = buildDeb({ name: "newdep", version: "1.0-1" }, work, out);
      debs.tool1 = buildDeb({ name: "tool", version: "1.0-1" }, work, out);
      debs.toolBad = buildDeb(
        { name: "tool", version: "2.0-1", postinst: "echo failing on purpose >&2; exit 1" },
        work,
        out,
      );
      debs.slow = buildDeb(
        { name: "slow", version: "1.0-1", postinst: 'touch "$DPKG_ROOT/var/run/slow-started"; sleep 4' },
        work,
        out,
      );
    });
    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it("reports installed packages and pending updates with the security flag from the -security suite", async () => {
      const { env, backend } = sandbox([repoWith("inv-v1", [debs.demo1 ?? ""])]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "demo=1.0-1"]);
      setSources(env, [repoWith("inv-sec", [debs.demo2 ?? "", debs.newdep ?? ""], "bookworm-security")]);
      await backend.updateLists();
      const installed = await backend.installed();
      expect(installed).toContainEqual({
        name: "demo",
        version: "1.0-1",
        arch: "all",
        source: "demo",
        source_version: "1.0-1",
        status: "ii",
      });
      const pending = await backend.pending();
      expect(pending.removals).toEqual([]);
      expect(pending.updates.find((u) => u.name === "demo")).toMatchObject({
        current_version: "1.0-1",
        candidate_version: "2.0-1",
        security: true,
      });
      expect(pending.updates.find((u) => u.name === "newdep")).toMatchObject({ current_version: null, security: true });
    });

    it("applies the pinned plan, vaults v1, and rolls back exactly after v1 left the repo (removing the added dependency, then holding)", async () => {
      const { env, backend } = sandbox([
        repoWith("flow-both", [debs.demo1 ?? "", debs.demo2 ?? "", debs.newdep ?? ""]),
      ]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "demo=1.0-1"]);
      const report = await backend.apply("job-1", [
        { name: "demo", arch: "all", from_version: "1.0-1", to_version: "2.0-1" },
      ]);
      expect(report.error).toBeNull();
      expect(report.ok).toBe(true);
      expect(report.audit_clean).toBe(true);
      expect(report.changes).toEqual([
        { name: "demo", arch: "all", before: "1.0-1", after: "2.0-1" },
        { name: "newdep", arch: "all", before: null, after: "1.0-1" },
      ]);
      expect(report.vault).toHaveLength(1);
      expect(report.vault[0]).toMatchObject({ name: "demo", version: "1.0-1", origin: "download" });
      expect(report.vault[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(sandboxVersion(env, "demo")).toEqual({ version: "2.0-1", status: "ii" });

      // v1 leaves every configured source: only the vault still has it.
      setSources(env, [repoWith("flow-v2", [debs.demo2 ?? "", debs.newdep ?? ""])]);
      await backend.updateLists();
      const rb = await backend.rollback("job-1");
      expect(rb.error).toBeNull();
      expect(rb.refused).toEqual([]);
      expect(rb.restored).toEqual([{ name: "demo", arch: "all", before: "1.0-1", after: "2.0-1" }]);
      expect(rb.removed).toEqual(["newdep"]);
      expect(rb.verified).toBe(true);
      expect(rb.held).toEqual(["demo"]);
      expect(sandboxVersion(env, "demo")).toEqual({ version: "1.0-1", status: "hi" });
      expect(sandboxVersion(env, "newdep")).toBeNull();
      // Held: the next pending computation does not offer demo 2.0-1 again.
      expect((await backend.pending()).updates.map((u) => u.name)).not.toContain("demo");
    });

    it("refuses the rollback of a package with no vault copy, with the reason, and never upgrades", async () => {
      const { env, backend } = sandbox([repoWith("nov-v1", [debs.tool1 ?? ""])]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "tool=1.0-1"]);
      // The repo now has only a later version: 1.0-1 is not downloadable and file: sources are never cached.
      const v2 = buildDeb({ name: "tool", version: "1.5-1" }, work, path.join(work, "debs"));
      setSources(env, [repoWith("nov-v2", [v2])]);
      await backend.updateLists();
      const report = await backend.apply("job-2", [
        { name: "tool", arch: "all", from_version: "1.0-1", to_version: "1.5-1" },
      ]);
      expect(report.ok).toBe(true);
      expect(report.unvaulted).toEqual([
        { name: "tool", version: "1.0-1", reason: expect.stringContaining("no source has tool 1.0-1") },
      ]);
      const rb = await backend.rollback("job-2");
      expect(rb.ok).toBe(false);
      expect(rb.refused).toEqual([{ name: "tool", reason: "no vault copy of tool 1.0-1" }]);
      expect(sandboxVersion(env, "tool")?.version).toBe("1.5-1");
    });

    it("reports a failing postinst (package left iF) and still rolls back to the exact version", async () => {
      const { env, backend } = sandbox([repoWith("bad", [debs.tool1 ?? "", debs.toolBad ?? ""])]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "tool=1.0-1"]);
      const report = await backend.apply("job-3", [
        { name: "tool", arch: "all", from_version: "1.0-1", to_version: "2.0-1" },
      ]);
      expect(report.ok).toBe(false);
      expect(report.error).toMatch(/^exit 100/);
      expect(report.output).toContain("failing on purpose");
      expect(report.audit_clean).toBe(false);
      expect(sandboxVersion(env, "tool")).toEqual({ version: "2.0-1", status: "iF" });
      const rb = await backend.rollback("job-3");
      expect(rb.error).toBeNull();
      expect(rb.verified).toBe(true);
      expect(sandboxVersion(env, "tool")).toEqual({ version: "1.0-1", status: "hi" });
      expect(await backend.audit()).toBe(true);
    });

    it("keeps a locally modified conffile and reports it; the new one lands as .dpkg-dist", async () => {
      const { env, backend } = sandbox([repoWith("conf", [debs.demo1 ?? "", debs.demo2 ?? "", debs.newdep ?? ""])]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "demo=1.0-1"]);
      writeFileSync(path.join(env.root, "etc/demo/demo.conf"), "setting=local\n");
      const report = await backend.apply("job-4", [
        { name: "demo", arch: "all", from_version: "1.0-1", to_version: "2.0-1" },
      ]);
      expect(report.ok).toBe(true);
      expect(report.kept_conffiles).toEqual(["/etc/demo/demo.conf"]);
      expect(readSandboxFile(env, "etc/demo/demo.conf")).toBe("setting=local\n");
      expect(readSandboxFile(env, "etc/demo/demo.conf.dpkg-dist")).toBe("setting=2\n");
    });

    it("patch_remove: refuses when others depend on it, else vaults first, removes, and the rollback re-installs the exact version", async () => {
      const { env, backend } = sandbox([repoWith("rm", [debs.demo2 ?? "", debs.newdep ?? "", debs.tool1 ?? ""])]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "demo=2.0-1", "tool=1.0-1"]);
      const refused = await backend.remove("job-6a", [{ name: "newdep", arch: "all", version: "1.0-1" }]);
      expect(refused).toMatchObject({ ok: false, error: "removing would also remove demo (they depend on it)" });
      expect(sandboxVersion(env, "newdep")).toEqual({ version: "1.0-1", status: "ii" });
      const stale = await backend.remove("job-6b", [{ name: "tool", arch: "all", version: "0.9-1" }]);
      expect(stale).toMatchObject({ ok: false, error: "tool is at 1.0-1, the job expected 0.9-1" });

      const report = await backend.remove("job-6", [{ name: "tool", arch: "all", version: "1.0-1" }]);
      expect(report.error).toBeNull();
      expect(report.changes).toEqual([{ name: "tool", arch: "all", before: "1.0-1", after: null }]);
      expect(report.vault.map((v) => [v.name, v.version, v.origin])).toEqual([["tool", "1.0-1", "download"]]);
      expect(sandboxVersion(env, "tool")).toBeNull();
      // tool 1.0-1 leaves the repository: the vault copy brings it back.
      setSources(env, [repoWith("rm-gone", [debs.demo2 ?? "", debs.newdep ?? ""])]);
      await backend.updateLists();
      const rb = await backend.rollback("job-6");
      expect(rb.error).toBeNull();
      expect(rb.verified).toBe(true);
      expect(rb.restored).toEqual([{ name: "tool", arch: "all", before: "1.0-1", after: null }]);
      expect(sandboxVersion(env, "tool")).toEqual({ version: "1.0-1", status: "hi" });
    });

    it("waits for the dpkg lock held by another apt run, and reports 'busy' when told not to wait", async () => {
      const { env, backend, base } = sandbox([repoWith("lock", [debs.tool1 ?? "", debs.slow ?? "", debs.demo1 ?? ""])]);
      sandboxRun(env, "apt-get", ["-y", "-q", "install", "tool=1.0-1"]);
      const other = spawn("apt-get", ["-y", "-q", "install", "slow"], {
        env: { ...process.env, APT_CONFIG: env.aptConfig ?? "", DPKG_ROOT: env.root, LC_ALL: "C" },
        stdio: "ignore",
      });
      const otherDone = new Promise((resolve) => other.once("close", resolve));
      const marker = path.join(env.root, "var/run/slow-started");
      // The other apt is inside its dpkg run (holding the lock) once the postinst has started.
      for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(marker)).toBe(true);

      const impatient = new AptBackend(
        new PackageRunner({ ...env, lockTimeoutSecs: 0 }),
        new Vault(path.join(base, "v2")),
      );
      const busy = await impatient.apply("job-5a", [
        { name: "tool", arch: "all", from_version: "1.0-1", to_version: "1.0-1" },
      ]);
      expect(busy.ok).toBe(false);
      expect(busy.error).toBe("dpkg lock busy: another package manager is running");

      const report = await backend.apply("job-5", [
        { name: "tool", arch: "all", from_version: "1.0-1", to_version: "1.0-1" },
      ]);
      await otherDone;
      expect(report.error).toBeNull();
      expect(sandboxVersion(env, "slow")).toEqual({ version: "1.0-1", status: "ii" });
    });
  },
);
