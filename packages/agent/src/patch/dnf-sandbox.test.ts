import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Advisory,
  buildRpm,
  makeDnfSandbox,
  rpmToolsMissing,
  rpmVersion,
  sandboxDnf,
  setRpmRepos,
  writeRpmRepo,
} from "../test-support/rpm-repo";
import { DnfBackend } from "./dnf-backend";
import type { PackageEnv } from "./package-env";
import { PackageRunner } from "./package-runner";
import { Vault } from "./vault";

/**
 * Real dnf 4 + rpm into a temporary `--installroot` (shared/reference/patching.md §5 level 3),
 * with noarch rpms built here and file: repositories made with createrepo_c (updateinfo added
 * with modifyrepo_c). Nothing outside the temp root is touched. Skips, saying why, without the tools.
 */
const missing = rpmToolsMissing();
if (missing) console.log(`skip: dnf sandbox tests need dnf 4, rpm, rpmbuild and createrepo_c: ${missing}`);

let work = "";
const rpms: Record<string, string> = {};

function repoWith(name: string, files: string[], advisories: Advisory[] = []): string {
  const dir = path.join(work, "repos", name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, path.join(dir, path.basename(f)));
  writeRpmRepo(dir, advisories);
  return dir;
}

function sandbox(repos: string[]): { env: PackageEnv; backend: DnfBackend } {
  const env = makeDnfSandbox(mkdtempSync(path.join(work, "sb-")), repos);
  return { env, backend: new DnfBackend(new PackageRunner(env), new Vault(env.vaultDir)) };
}

const r = (key: string) => rpms[key] ?? "";
const demoAdvisory: Advisory = {
  id: "FGSA-2026:0001",
  type: "security",
  severity: "Important",
  cves: ["CVE-2026-0001", "CVE-2026-12345"],
  packages: [{ name: "demo", version: "2.0", release: "1" }],
};

describe.skipIf(missing !== null)(
  "dnf sandbox: inventory → apply → vault → exact rollback → hold",
  { timeout: 120_000 },
  () => {
    beforeAll(() => {
      work = mkdtempSync(path.join(tmpdir(), "fg-dnf-"));
      const out = path.join(work, "rpms");
      rpms.demo1 = buildRpm({ name: "demo", version: "1.0" }, work, out);
      rpms.demo2 = buildRpm({ name: "demo", version: "2.0", requires: "newdep" }, work, out);
      rpms.newdep = buildRpm({ name: "newdep", version: "1.0" }, work, out);
      rpms.plain1 = buildRpm({ name: "plain", version: "1.0" }, work, out);
      rpms.plain2 = buildRpm({ name: "plain", version: "1.1" }, work, out);
      rpms.fix1 = buildRpm({ name: "fixonly", version: "1.0" }, work, out);
      rpms.fix2 = buildRpm({ name: "fixonly", version: "1.1" }, work, out);
      rpms.ep1 = buildRpm({ name: "epo", version: "1.0", epoch: 2 }, work, out);
      rpms.ep2 = buildRpm({ name: "epo", version: "1.1", epoch: 2 }, work, out);
      rpms.user1 = buildRpm({ name: "user", version: "1.0", requires: "plain" }, work, out);
      // Ten rpmbuild runs: well over the default hook timeout on a loaded machine.
    }, 120_000);
    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it("reports installed packages (EVR, source rpm) and pending updates: security, CVE ids and 'unknown' from updateinfo", async () => {
      const { env, backend } = sandbox([repoWith("inv-v1", [r("demo1"), r("plain1"), r("fix1"), r("ep1")])]);
      sandboxDnf(env, ["install", "demo-1.0-1", "plain-1.0-1", "fixonly-1.0-1", "epo-2:1.0-1"]);
      setRpmRepos(env, [
        repoWith(
          "inv-v2",
          [r("demo2"), r("newdep"), r("plain2"), r("fix2"), r("ep2")],
          [
            demoAdvisory,
            { id: "FGBA-2026:0002", type: "bugfix", packages: [{ name: "fixonly", version: "1.1", release: "1" }] },
          ],
        ),
      ]);
      await backend.updateLists();
      expect(await backend.listsRefreshedAt()).not.toBeNull();
      const installed = await backend.installed();
      expect(installed).toContainEqual({
        name: "demo",
        version: "1.0-1",
        arch: "noarch",
        source: "demo",
        source_version: "1.0-1",
        status: "ii",
      });
      expect(installed.find((p) => p.name === "epo")?.version).toBe("2:1.0-1");
      const { updates, removals } = await backend.pending();
      expect(removals).toEqual([]);
      const by = (n: string) => updates.find((u) => u.name === n);
      expect(by("demo")).toMatchObject({
        arch: "noarch",
        current_version: "1.0-1",
        candidate_version: "2.0-1",
        security: true,
        cve_ids: ["CVE-2026-0001", "CVE-2026-12345"],
      });
      expect(by("demo")?.origins).toHaveLength(1);
      expect(by("fixonly")).toMatchObject({ candidate_version: "1.1-1", security: false, cve_ids: [] });
      // No advisory names plain: unknown, never "not a security update".
      expect(by("plain")).toMatchObject({ candidate_version: "1.1-1", security: "unknown", cve_ids: [] });
      expect(by("epo")).toMatchObject({ current_version: "2:1.0-1", candidate_version: "2:1.1-1" });
      expect(await backend.audit()).toBe(true);
    });

    it("applies the pinned plan, vaults v1, and rolls back exactly after v1 left the repo (removing the added dependency, then holding)", async () => {
      const { env, backend } = sandbox([
        repoWith("flow-both", [r("demo1"), r("demo2"), r("newdep"), r("ep1"), r("ep2")]),
      ]);
      sandboxDnf(env, ["install", "demo-1.0-1", "epo-2:1.0-1"]);
      const report = await backend.apply("job-1", [
        { name: "demo", arch: "noarch", from_version: "1.0-1", to_version: "2.0-1" },
        { name: "epo", arch: "noarch", from_version: "2:1.0-1", to_version: "2:1.1-1" },
      ]);
      expect(report.error).toBeNull();
      expect(report.ok).toBe(true);
      expect(report.audit_clean).toBe(true);
      expect(report.changes).toEqual([
        { name: "demo", arch: "noarch", before: "1.0-1", after: "2.0-1" },
        { name: "epo", arch: "noarch", before: "2:1.0-1", after: "2:1.1-1" },
        { name: "newdep", arch: "noarch", before: null, after: "1.0-1" },
      ]);
      expect(report.vault.map((v) => [v.name, v.version, v.origin])).toEqual([
        ["demo", "1.0-1", "download"],
        ["epo", "2:1.0-1", "download"],
      ]);
      expect(report.vault[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(rpmVersion(env, "demo")).toBe("2.0-1");

      // v1 leaves every repository: only the vault still has it.
      setRpmRepos(env, [repoWith("flow-v2", [r("demo2"), r("newdep"), r("ep2"), r("plain2")])]);
      await backend.updateLists();
      const rb = await backend.rollback("job-1");
      expect(rb.error).toBeNull();
      expect(rb.refused).toEqual([]);
      expect(rb.restored.map((c) => [c.name, c.before])).toEqual([
        ["demo", "1.0-1"],
        ["epo", "2:1.0-1"],
      ]);
      expect(rb.removed).toEqual(["newdep"]);
      expect(rb.verified).toBe(true);
      expect(rb.held).toEqual(["demo", "epo"]);
      expect(rpmVersion(env, "demo")).toBe("1.0-1");
      expect(rpmVersion(env, "epo")).toBe("2:1.0-1");
      expect(rpmVersion(env, "newdep")).toBeNull();
      expect(readFileSync(path.join(env.root, "etc/dnf/dnf.conf"), "utf8")).toContain("excludepkgs=demo,epo");
      // Held: the next pending computation does not offer demo 2.0-1 again.
      expect((await backend.pending()).updates.map((u) => u.name)).not.toContain("demo");
    });

    it("refuses the rollback of a package with no vault copy, with the reason, and never upgrades", async () => {
      const { env, backend } = sandbox([repoWith("nov-v1", [r("plain1")])]);
      sandboxDnf(env, ["install", "plain-1.0-1"]);
      setRpmRepos(env, [repoWith("nov-v2", [r("plain2")])]);
      await backend.updateLists();
      const report = await backend.apply("job-2", [
        { name: "plain", arch: "noarch", from_version: "1.0-1", to_version: "1.1-1" },
      ]);
      expect(report.ok).toBe(true);
      expect(report.unvaulted).toEqual([
        { name: "plain", version: "1.0-1", reason: expect.stringContaining("no source has plain 1.0-1") },
      ]);
      const rb = await backend.rollback("job-2");
      expect(rb.ok).toBe(false);
      expect(rb.refused).toEqual([{ name: "plain", reason: "no vault copy of plain 1.0-1" }]);
      expect(rpmVersion(env, "plain")).toBe("1.1-1");
    });

    it("refuses a plan whose version is no longer what the host has, changing nothing", async () => {
      const { env, backend } = sandbox([repoWith("stale", [r("plain1"), r("plain2")])]);
      sandboxDnf(env, ["install", "plain-1.0-1"]);
      const report = await backend.apply("job-3", [
        { name: "plain", arch: "noarch", from_version: "0.9-1", to_version: "1.1-1" },
      ]);
      expect(report).toMatchObject({ ok: false, error: "plain is at 1.0-1, the plan expected 0.9-1", changes: [] });
      expect(rpmVersion(env, "plain")).toBe("1.0-1");
    });

    it("patch_remove: vaults first, removes exactly the named package, and the rollback re-installs that exact version", async () => {
      const { env, backend } = sandbox([repoWith("rm", [r("plain1"), r("user1"), r("fix1")])]);
      sandboxDnf(env, ["install", "plain-1.0-1", "user-1.0-1", "fixonly-1.0-1"]);
      const refused = await backend.remove("job-4a", [{ name: "plain", arch: "noarch", version: "1.0-1" }]);
      expect(refused).toMatchObject({
        ok: false,
        error: "removing would also remove user-1.0-1.noarch (they depend on it)",
      });
      expect(rpmVersion(env, "plain")).toBe("1.0-1");

      const report = await backend.remove("job-4", [{ name: "fixonly", arch: "noarch", version: "1.0-1" }]);
      expect(report.error).toBeNull();
      expect(report.changes).toEqual([{ name: "fixonly", arch: "noarch", before: "1.0-1", after: null }]);
      expect(report.vault.map((v) => [v.name, v.version])).toEqual([["fixonly", "1.0-1"]]);
      expect(rpmVersion(env, "fixonly")).toBeNull();
      // The repository loses it: the vault copy is what brings it back.
      setRpmRepos(env, [repoWith("rm-empty", [r("plain2")])]);
      const rb = await backend.rollback("job-4");
      expect(rb.error).toBeNull();
      expect(rb.verified).toBe(true);
      expect(rb.restored).toEqual([{ name: "fixonly", arch: "noarch", before: "1.0-1", after: null }]);
      expect(rpmVersion(env, "fixonly")).toBe("1.0-1");
    });
  },
);
