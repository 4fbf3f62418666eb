import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "./config";
import { AgentError, EXIT } from "./exit-codes";
import { cleanupTempDirs, tempDir } from "./test-support/fixtures";

afterAll(cleanupTempDirs);

function refusal(document: unknown): string {
  try {
    parseConfig(document, "/etc/fleetgate-agent/config.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).exitCode).toBe(EXIT.usage);
    return (error as Error).message;
  }
  throw new Error("config was accepted");
}

describe("config", () => {
  it("refuses a relative script path", () => {
    expect(refusal({ server: "https://fleet.example.com", scripts: { deploy: "scripts/deploy.sh" } })).toContain(
      "scripts.deploy: must be an absolute path",
    );
  });

  it("refuses a relative script path in the object form", () => {
    expect(
      refusal({ server: "https://fleet.example.com", scripts: { deploy: { path: "./deploy.sh", description: "x" } } }),
    ).toContain("scripts.deploy.path");
  });

  it("refuses script names outside ^[\\w-]+$", () => {
    expect(refusal({ server: "https://fleet.example.com", scripts: { "bad name;": "/bin/true" } })).toContain(
      "scripts",
    );
  });

  it("refuses a missing server", () => {
    expect(refusal({ scripts: {} })).toContain("server");
  });

  it("refuses a server that is not an http(s) URL", () => {
    expect(refusal({ server: "ftp://fleet.example.com" })).toContain("server: must be an http(s) URL");
    expect(refusal({ server: "not a url" })).toContain("server");
  });

  it("refuses plain http to a non-loopback server unless allow_insecure_http is set", () => {
    expect(refusal({ server: "http://fleet.example.com" })).toContain("must be an https:// URL");
    expect(refusal({ server: "http://10.0.0.5:8787" })).toContain("server");
    expect(parseConfig({ server: "http://fleet.example.com", allow_insecure_http: true }, "/x/c.json").server).toBe(
      "http://fleet.example.com",
    );
    for (const server of [
      "http://127.0.0.1:8787",
      "http://localhost:8787",
      "http://[::1]:8787",
      "https://fleet.example.com",
    ]) {
      expect(parseConfig({ server }, "/x/c.json").server).toBe(server);
    }
  });

  it("refuses unknown keys (typos)", () => {
    expect(refusal({ server: "https://fleet.example.com", scripst: {} })).toContain("scripst");
  });

  it("refuses a default timeout above the maximum", () => {
    expect(
      refusal({ server: "https://fleet.example.com", max_timeout_seconds: 10, default_timeout_seconds: 60 }),
    ).toContain("default_timeout_seconds: must not exceed max_timeout_seconds");
  });

  it("refuses non-string tag values", () => {
    expect(refusal({ server: "https://fleet.example.com", tags: { rack: 12 } })).toContain("tags.rack");
  });

  it("applies defaults and normalises both script forms", () => {
    const config = parseConfig(
      {
        server: "https://fleet.example.com/",
        scripts: {
          uptime: "/usr/bin/uptime",
          deploy: { path: "/opt/deploy.sh", description: "Deploy", args: ["--now"] },
        },
      },
      "/etc/fleetgate-agent/config.yaml",
    );
    expect(config.server).toBe("https://fleet.example.com");
    expect(config.stateDir).toBe("/var/lib/fleetgate-agent");
    expect(config.maxTimeoutSeconds).toBe(3600);
    expect(config.defaultTimeoutSeconds).toBe(60);
    expect(config.outputCapBytes).toBe(1024 * 1024);
    expect(config.pollIntervalSeconds).toBe(60);
    expect([...config.scripts.values()]).toEqual([
      { name: "uptime", path: "/usr/bin/uptime", description: "", args: [] },
      { name: "deploy", path: "/opt/deploy.sh", description: "Deploy", args: ["--now"] },
    ]);
  });

  it("keeps the allowlist in a Map so prototype names are not allowlisted", () => {
    const config = parseConfig({ server: "https://fleet.example.com" }, "/x/config.json");
    expect(config.scripts.get("constructor")).toBeUndefined();
    expect(config.scripts.get("__proto__")).toBeUndefined();
  });

  it("loads YAML and JSON files, and resolves a relative state_dir against the file", async () => {
    const dir = await tempDir();
    const yamlFile = path.join(dir, "agent.yaml");
    await writeFile(
      yamlFile,
      "server: http://127.0.0.1:8787\nstate_dir: state\nscripts:\n  up: /usr/bin/uptime\ntags:\n  env: dev\n",
    );
    const fromYaml = await loadConfig(yamlFile);
    expect(fromYaml.stateDir).toBe(path.join(dir, "state"));
    expect(fromYaml.tags).toEqual({ env: "dev" });
    const jsonFile = path.join(dir, "agent.json");
    await writeFile(jsonFile, JSON.stringify({ server: "http://127.0.0.1:8787", scripts: { up: "/usr/bin/uptime" } }));
    expect((await loadConfig(jsonFile)).scripts.get("up")?.path).toBe("/usr/bin/uptime");
  });

  it("reports unparseable and missing files as usage errors", async () => {
    const dir = await tempDir();
    const broken = path.join(dir, "broken.json");
    await writeFile(broken, "{ not json");
    await expect(loadConfig(broken)).rejects.toMatchObject({ exitCode: EXIT.usage });
    await expect(loadConfig(path.join(dir, "missing.yaml"))).rejects.toMatchObject({ exitCode: EXIT.usage });
  });
});
