import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { InstalledPackage, Inventory } from "@fleetgate/contract/agent";
import { afterAll, describe, expect, it } from "vitest";
import { applyInventoryDiff, diffInventory, packagesHash, rebootReasons } from "./inventory";
import { systemEnv } from "./package-env";

const pkg = (name: string, version: string): InstalledPackage => ({
  name,
  version,
  arch: "amd64",
  source: name,
  source_version: version,
  status: "ii",
});
const inv = (packages: InstalledPackage[]): Inventory => ({
  os: {
    id: "debian",
    id_like: [],
    family: "debian",
    version_id: "12",
    codename: "bookworm",
    pretty_name: "",
    kernel: "6.1.0-18-amd64",
    arch: "x86_64",
  },
  packages,
  updates: [],
  removals: [],
  reboot_required: false,
  reboot_reasons: [],
  lists_age_secs: null,
  collected_at: 1,
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("inventory diffs", () => {
  it("sends only changed and removed packages, and the receiver rebuilds the exact list", () => {
    const prev = Array.from({ length: 3000 }, (_, i) => pkg(`p${i}`, `1.${i}`));
    const next = [...prev.slice(1, 2999), pkg("p2999", "2.0"), pkg("new", "1")];
    const diff = diffInventory(prev, inv(next));
    expect(diff.upserted.map((p) => p.name).sort()).toEqual(["new", "p2999"]);
    expect(diff.removed).toEqual(["p0:amd64"]);
    const rebuilt = applyInventoryDiff(prev, diff);
    expect(rebuilt && packagesHash(rebuilt)).toBe(packagesHash(next));
  });

  it("refuses a diff against a different base (the agent then sends the full inventory)", () => {
    const diff = diffInventory([pkg("a", "1")], inv([pkg("a", "2")]));
    expect(applyInventoryDiff([pkg("a", "0")], diff)).toBeNull();
  });
});

describe("reboot required", () => {
  it("from the reboot-required file and from a newer installed kernel", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "fg-reboot-"));
    dirs.push(root);
    const env = { ...systemEnv("apt", path.join(root, "vault")), fileRoot: root };
    const kernels = [pkg("linux-image-6.1.0-18-amd64", "6.1.76-1"), pkg("linux-image-6.1.0-21-amd64", "6.1.90-1")];
    expect(await rebootReasons(env, kernels, "6.1.0-21-amd64")).toEqual([]);
    expect(await rebootReasons(env, kernels, "6.1.0-18-amd64")).toEqual([
      "kernel 6.1.0-21-amd64 installed, 6.1.0-18-amd64 running",
    ]);
    mkdirSync(path.join(root, "var/run"), { recursive: true });
    writeFileSync(path.join(root, "var/run/reboot-required"), "");
    writeFileSync(path.join(root, "var/run/reboot-required.pkgs"), "libc6\nsystemd\n");
    expect(await rebootReasons(env, [], "6.1.0-21-amd64")).toEqual(["reboot-required: libc6, systemd"]);
  });
});
