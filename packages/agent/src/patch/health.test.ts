import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHealthCheck } from "./health";

let dir = "";
let plain: http.Server;
let secure: https.Server | null = null;
let plainUrl = "";
let secureUrl = "";

const hasOpenssl = spawnSync("sh", ["-c", "command -v openssl"]).status === 0;
if (!hasOpenssl) console.log("skip: openssl is not installed (self-signed TLS case)");

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fg-health-"));
  const handler: http.RequestListener = (req, res) => {
    if (req.url === "/redirect") return res.writeHead(302, { location: "/ok" }).end();
    if (req.url === "/loop") return res.writeHead(302, { location: "/loop" }).end();
    if (req.url === "/auth") {
      const ok = req.headers.authorization === `Basic ${Buffer.from("probe:pa:ss").toString("base64")}`;
      return res.writeHead(ok ? 200 : 401).end(ok ? "welcome" : "no");
    }
    if (req.url === "/down") return res.writeHead(503).end("maintenance");
    res.writeHead(200).end("status: OK");
  };
  plain = http.createServer(handler);
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  if (hasOpenssl) {
    const key = path.join(dir, "k.pem");
    const cert = path.join(dir, "c.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat([
        "-subj",
        "/CN=127.0.0.1",
        "-days",
        "1",
        "-keyout",
        key,
        "-out",
        cert,
      ]),
      { stdio: "pipe" },
    );
    secure = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, handler);
    const s = secure;
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    secureUrl = `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }
});
afterAll(() => {
  plain?.close();
  secure?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const httpCheck = (url: string, extra: Partial<Record<string, unknown>> = {}) => ({
  id: "c1",
  check_type: "http" as const,
  url,
  expected_body: null,
  ignore_cert_errors: false,
  basic_auth_user: null,
  basic_auth_pass: null,
  ...extra,
});

describe("agent health checks", () => {
  it("http: 2xx with the expected body is healthy; a missing body or a 503 is not", async () => {
    expect(await runHealthCheck(httpCheck(`${plainUrl}/`, { expected_body: "OK" }))).toMatchObject({
      check_id: "c1",
      healthy: true,
      detail: "HTTP 200",
    });
    expect(await runHealthCheck(httpCheck(`${plainUrl}/`, { expected_body: "ready" }))).toMatchObject({
      healthy: false,
      detail: "HTTP 200, expected body not found",
    });
    expect(await runHealthCheck(httpCheck(`${plainUrl}/down`))).toMatchObject({ healthy: false, detail: "HTTP 503" });
  });

  it("http: follows redirects up to the limit and sends basic auth", async () => {
    expect((await runHealthCheck(httpCheck(`${plainUrl}/redirect`))).healthy).toBe(true);
    expect(await runHealthCheck(httpCheck(`${plainUrl}/loop`))).toMatchObject({
      healthy: false,
      detail: "too many redirects (> 5)",
    });
    expect((await runHealthCheck(httpCheck(`${plainUrl}/auth`))).healthy).toBe(false);
    const ok = await runHealthCheck(
      httpCheck(`${plainUrl}/auth`, { basic_auth_user: "probe", basic_auth_pass: "pa:ss" }),
    );
    expect(ok.healthy).toBe(true);
  });

  it.skipIf(!hasOpenssl)("https: verifies the certificate unless ignore_cert_errors is set", async () => {
    const strict = await runHealthCheck(httpCheck(`${secureUrl}/`));
    expect(strict.healthy).toBe(false);
    expect(strict.detail).toMatch(/self[- ]signed/i);
    expect((await runHealthCheck(httpCheck(`${secureUrl}/`, { ignore_cert_errors: true }))).healthy).toBe(true);
  });

  it("service: reads systemd's state (active/running healthy, failed or unknown not)", async () => {
    const fake = path.join(dir, "systemctl");
    writeFileSync(
      fake,
      `#!/bin/sh
case "$4" in
  nginx.service) printf 'LoadState=loaded\\nActiveState=active\\nSubState=running\\nUnitFileState=enabled\\n';;
  broken.service) printf 'LoadState=loaded\\nActiveState=failed\\nSubState=failed\\nUnitFileState=enabled\\n';;
  *) printf 'LoadState=not-found\\nActiveState=inactive\\nSubState=dead\\nUnitFileState=\\n';;
esac
`,
    );
    chmodSync(fake, 0o755);
    const svc = (name: string) =>
      runHealthCheck({ id: "s", check_type: "service", service_name: name }, { systemctl: fake });
    expect(await svc("nginx.service")).toMatchObject({ healthy: true, detail: "nginx.service: active/running" });
    expect(await svc("broken.service")).toMatchObject({ healthy: false, detail: "broken.service: failed/failed" });
    expect(await svc("nope.service")).toMatchObject({ healthy: false, detail: "nope.service: unit not found" });
  });
});
