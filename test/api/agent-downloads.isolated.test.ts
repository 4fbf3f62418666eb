import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const bytes = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());

const sha256 = async (data: Uint8Array | string) =>
  [
    ...new Uint8Array(
      await crypto.subtle.digest("SHA-256", typeof data === "string" ? new TextEncoder().encode(data) : data),
    ),
  ]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** Publishes a release into R2 the way scripts/publish-agent.mjs lays it out. */
async function publish(version: string, files: Record<string, string>, { latest = true, skip = [] as string[] } = {}) {
  const entry = async (file: string) => ({
    file,
    size: (files[file] ?? "").length,
    sha256: await sha256(files[file] ?? ""),
  });
  const manifest = {
    name: "fleetgate-agent",
    version,
    node: "22.23.3",
    artifacts: [
      { os: "linux", arch: "x64", ...(await entry("fleetgate-agent-linux-x64")) },
      { os: "linux", arch: "arm64", ...(await entry("fleetgate-agent-linux-arm64")) },
    ],
    packages: [{ os: "linux", arch: "x64", kind: "deb", ...(await entry(`fleetgate-agent_${version}_amd64.deb`)) }],
    unit: await entry("fleetgate-agent.service"),
  };
  for (const [file, body] of Object.entries(files))
    if (!skip.includes(file)) await env.EXPORTS.put(`agent/releases/${version}/${file}`, body);
  await env.EXPORTS.put(`agent/releases/${version}/manifest.json`, JSON.stringify(manifest));
  if (latest) await env.EXPORTS.put("agent/releases/latest.json", JSON.stringify(manifest));
}

const release = (version: string) => ({
  "fleetgate-agent-linux-x64": `x64 executable ${version}`,
  "fleetgate-agent-linux-arm64": `arm64 executable ${version}`,
  [`fleetgate-agent_${version}_amd64.deb`]: `deb ${version}`,
  "fleetgate-agent.service": "[Service]\nExecStart=/usr/bin/fleetgate-agent run\n",
});

describe("agent downloads before any release is published", () => {
  it("answers 404 not_found in the native shape", async () => {
    const res = await call("/agent/v1/download/linux-x64");
    expect(res.status).toBe(404);
    expect(await nativeError(res)).toEqual({ code: "not_found", message: "No agent release published" });
  });
});

describe("agent downloads", () => {
  beforeAll(async () => {
    await publish("1.2.2", release("1.2.2"), { latest: false });
    await publish("1.2.3", release("1.2.3"), { skip: ["fleetgate-agent-linux-arm64"] });
  });

  it("serves the latest executable with its sha256 and version", async () => {
    const res = await call("/agent/v1/download/linux-x64");
    expect(res.status).toBe(200);
    const body = await bytes(res);
    expect(body).toBe("x64 executable 1.2.3");
    expect(res.headers.get("x-checksum-sha256")).toBe(await sha256(body));
    expect(res.headers.get("x-agent-version")).toBe("1.2.3");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="fleetgate-agent-linux-x64"');
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves the sha256sum line of a file", async () => {
    const res = await call("/agent/v1/download/linux-x64.sha256");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`${await sha256("x64 executable 1.2.3")}  fleetgate-agent-linux-x64\n`);
  });

  it("serves a pinned version, cacheable for good", async () => {
    const res = await call("/agent/v1/download/linux-x64?version=1.2.2");
    expect(res.status).toBe(200);
    expect(await bytes(res)).toBe("x64 executable 1.2.2");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("serves the .deb and the systemd unit", async () => {
    const deb = await call("/agent/v1/download/linux-x64.deb");
    expect(deb.status).toBe(200);
    expect(deb.headers.get("content-type")).toBe("application/vnd.debian.binary-package");
    expect(await bytes(deb)).toBe("deb 1.2.3");
    const unit = await call("/agent/v1/download/fleetgate-agent.service.sha256");
    expect(await unit.text()).toBe(
      `${await sha256(release("1.2.3")["fleetgate-agent.service"] ?? "")}  fleetgate-agent.service\n`,
    );
  });

  it("answers 404 for a package the release does not have, an unknown version and a missing file", async () => {
    const rpm = await call("/agent/v1/download/linux-arm64.rpm");
    expect(rpm.status).toBe(404);
    expect(await nativeError(rpm)).toEqual({
      code: "not_found",
      message: "No agent rpm for linux-arm64 in version 1.2.3",
    });
    const unknown = await call("/agent/v1/download/linux-x64?version=9.9.9");
    expect(await nativeError(unknown)).toEqual({ code: "not_found", message: "Agent version 9.9.9 not found" });
    const missing = await call("/agent/v1/download/linux-arm64");
    expect(missing.status).toBe(404);
    expect((await nativeError(missing)).code).toBe("not_found");
  });

  it.each([
    "/agent/v1/download/linux-mips",
    "/agent/v1/download/windows-x64",
    "/agent/v1/download/linux-x64.exe",
    "/agent/v1/download/..%2Flatest.json",
    "/agent/v1/download/linux-x64?version=latest",
    "/agent/v1/download/linux-x64?version=1.2.3%2F..%2F..",
  ])("refuses %s with 400 validation_error", async (path) => {
    const res = await call(path);
    expect(res.status).toBe(400);
    expect((await nativeError(res)).code).toBe("validation_error");
  });

  it("serves the manifest of the latest release and of a version", async () => {
    const latest = await call("/agent/v1/releases/latest");
    expect(latest.status).toBe(200);
    expect(((await latest.json()) as { version: string }).version).toBe("1.2.3");
    const old = await call("/agent/v1/releases/1.2.2");
    expect(((await old.json()) as { version: string }).version).toBe("1.2.2");
    expect((await call("/agent/v1/releases/3.0.0")).status).toBe(404);
  });
});

describe("GET /agent/v1/install.sh", () => {
  it("serves a POSIX sh installer that defaults to this server and takes the token as an argument", async () => {
    const res = await call("/agent/v1/install.sh");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/x-shellscript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const script = await res.text();
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain("\nSERVER='http://127.0.0.1'\n");
    expect(script).toContain("--token) need_value");
    expect(script).not.toMatch(/\?token=|token=\$TOKEN/);
  });
});

describe("POST /api/v1/enrollments", () => {
  it("answers a host's one-time enrollment with the install command, the token as an argument", async () => {
    const admin = await adminLogin();
    const res = await call("/api/v1/enrollments", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `onboard-${crypto.randomUUID().slice(0, 8)}`, kind: "host", method: "ott" },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { jwt: string; install_command: string };
    expect(body.install_command).toBe(
      `curl -fsSL http://127.0.0.1/agent/v1/install.sh | sudo sh -s -- --token ${body.jwt}`,
    );
  });

  it("has no install command for a user enrollment", async () => {
    const admin = await adminLogin();
    const res = await call("/api/v1/enrollments", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `onboard-user-${crypto.randomUUID().slice(0, 8)}`, kind: "user", method: "ott" },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).not.toHaveProperty("install_command");
  });
});
