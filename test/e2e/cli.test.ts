/**
 * The `fleetgate` CLI as a user runs it: `npx fleetgate`'s launcher (packages/cli/bin/fleetgate.mjs,
 * which runs the bundle built below from packages/cli/dist/fleetgate.mjs) as a process against the real `wrangler dev`, with two REAL agents. Login with password + TOTP, a script
 * run on two hosts with output prefixed by host, a failing host → exit 3, `jobs retry --failed`, an
 * export downloaded through its signed link, auth/not-found exit codes, offline `audit verify` (a
 * tampered checkpoint is caught), and `ci login` / `ci exec`
 * in a simulated GitHub Actions job (a local OIDC provider behind ACTIONS_ID_TOKEN_REQUEST_URL).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OAuth2Server } from "oauth2-mock-server";
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AgentProcess, adminAccess } from "./agent-process";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cliDir = path.join(root, "packages/cli");
const bin = path.join(cliDir, "bin/fleetgate.mjs");
const base = () => inject("baseUrl");
const suffix = Math.random().toString(36).slice(2, 7);
const [hostA, hostB] = [`cli-a-${suffix}`, `cli-b-${suffix}`];
const user = { username: `cli-${suffix}`, password: "Cli-E2e-Pass-1!" };
const agents: AgentProcess[] = [];
let home = "";
let access = "";
let totpSecret = "";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled CLI with a private config dir; never inherits the developer's credentials. */
function fleetgate(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        // Nothing of the developer's or the CI runner's own Fleetgate/GitHub settings leaks in.
        FLEETGATE_TOKEN: undefined,
        FLEETGATE_URL: undefined,
        FLEETGATE_CONTEXT: undefined,
        GITHUB_ACTIONS: undefined,
        GITHUB_ENV: undefined,
        ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, "config"),
        NO_COLOR: "1",
        // The e2e server listens on a random port; its ALLOWED_ORIGINS is the dev default.
        FLEETGATE_WS_ORIGIN: "http://127.0.0.1:8787",
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

async function api(p: string, init: RequestInit & { json?: unknown } = {}, token = access) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set("authorization", `Bearer ${token}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${base()}${p}`, {
    ...rest,
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
  });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

const totp = (offsetSteps = 0) =>
  new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(totpSecret),
    digits: 6,
    period: 30,
    algorithm: "SHA1",
  }).generate({
    timestamp: Date.now() + offsetSteps * 30_000,
  });

/** A user with TOTP enrolled: created by the admin, then MFA set up with the user's own session. */
async function userWithTotp(): Promise<void> {
  await api("/api/v1/users", {
    method: "POST",
    json: { ...user, email: `${user.username}@example.test`, role: "admin" },
  });
  const login = await fetch(`${base()}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(user),
  });
  const session = ((await login.json()) as { access_token: string }).access_token;
  const setup = (await api("/api/v1/auth/mfa/setup", {}, session)) as { secret_base32: string };
  totpSecret = setup.secret_base32;
  await api(
    "/api/v1/auth/mfa/verify",
    { method: "POST", json: { secret_base32: totpSecret, code: totp(), password: user.password } },
    session,
  );
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, ["build.mjs"], { cwd: cliDir, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`CLI build failed:\n${build.stdout}\n${build.stderr}`);
  home = mkdtempSync(path.join(tmpdir(), "fg-cli-home-"));
  access = await adminAccess(base());
  await userWithTotp();
  for (const name of [hostA, hostB]) {
    const agent = new AgentProcess(base(), name, { role: "cli-e2e" });
    agents.push(agent);
    await agent.enroll(access);
    agent.start();
  }
  await Promise.all(agents.map((a) => a.waitOnline(access)));
}, 180_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.dispose()));
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("fleetgate CLI against a real server and real agents", () => {
  it("refuses a wrong TOTP code with exit 4, then logs in with password + TOTP into a 0600 file", async () => {
    const wrong = await fleetgate(["login", "--url", base(), "-u", user.username, "--totp", "000000"], {
      FLEETGATE_PASSWORD: user.password,
    });
    expect(wrong.code, wrong.stderr).toBe(4);
    // The verify call used this step's code; the next step's is inside the ±1 window and unused.
    const res = await fleetgate(["login", "--url", base(), "-u", user.username, "--totp", totp(1)], {
      FLEETGATE_PASSWORD: user.password,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain(`as ${user.username} (admin)`);
    const creds = path.join(home, "config/fleetgate/credentials.json");
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    expect(readFileSync(creds, "utf8")).not.toContain(user.password);
    const who = await fleetgate(["whoami", "-o", "json"]);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ username: user.username, role: "admin", mfa_enabled: true });
  });

  it("lists hosts as the API's JSON and as a table", async () => {
    const json = await fleetgate(["hosts", "list", "--search", suffix, "-o", "json"]);
    expect(json.code, json.stderr).toBe(0);
    const body = JSON.parse(json.stdout) as { hosts: { name: string; online: boolean }[]; total: number };
    expect(body.hosts.map((h) => h.name).sort()).toEqual([hostA, hostB]);
    expect(body.hosts.every((h) => h.online)).toBe(true);
    const table = await fleetgate(["hosts", "list", "--search", suffix]);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+FQDN\s+OS\s+ONLINE\s+HEALTH/);
    expect(table.stdout).toContain(hostA);
  });

  it("runs a script on two hosts: output prefixed by host on stdout, states on stderr, exit 0", async () => {
    const res = await fleetgate(["run", "echo", "--hosts", `name:cli-*-${suffix}`, "--", "hello world", "$(id)"]);
    expect(res.code, res.stderr).toBe(0);
    for (const h of [hostA, hostB]) {
      expect(res.stdout).toContain(`[${h}] hello world\n[${h}] $(id)\n`);
      expect(res.stderr).toContain(`✓ ${h} succeeded`);
    }
    expect(res.stderr).toMatch(/job succeeded: 2 succeeded, 0 failed of 2/);
  });

  it("streams live: with -o ndjson each host's output events come before that host ends", async () => {
    const res = await fleetgate(["run", "stream", "--hosts", `${hostA},${hostB}`, "-o", "ndjson"]);
    expect(res.code, res.stderr).toBe(0);
    const events = res.stdout
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { type: string; host_name?: string; status?: string; stream?: string; data?: string },
      );
    expect(events[0]?.type).toBe("snapshot");
    expect(events.at(-1)?.type).toBe("done");
    for (const h of [hostA, hostB]) {
      const out = events.filter((e) => e.type === "output" && e.host_name === h && e.stream === "stdout");
      expect(out.map((e) => e.data).join("")).toBe("line 1\nline 2\nline 3\n");
      const firstOut = events.findIndex((e) => e.type === "output" && e.host_name === h);
      const ended = events.findIndex((e) => e.type === "host" && e.host_name === h && e.status === "succeeded");
      expect(firstOut).toBeGreaterThan(0);
      expect(ended).toBeGreaterThan(firstOut);
    }
  });

  it("exits 3 when a host fails, and jobs retry --failed re-runs only the failed hosts", async () => {
    const res = await fleetgate(["run", "fail", "--hosts", hostA]);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`[${hostA}] it broke`);
    expect(res.stderr).toContain(`✗ ${hostA} failed`);
    expect(res.stderr).toMatch(new RegExp(`job failed: 0 succeeded, 1 failed of 1 \\(${hostA}=3\\)`));
    const jobs = JSON.parse((await fleetgate(["jobs", "list", "-o", "json"])).stdout) as {
      jobs: { id: string; script: string }[];
    };
    const failedJob = jobs.jobs.find((j) => j.script === "fail");
    expect(failedJob).toBeDefined();
    const retry = await fleetgate(["jobs", "retry", failedJob?.id ?? "", "--failed", "-o", "json"]);
    expect(retry.code).toBe(3);
    const detail = JSON.parse(retry.stdout) as {
      job: { notes: string };
      hosts: { host_name: string; exit_code: number }[];
    };
    expect(detail.job.notes).toBe(`retry of ${failedJob?.id}`);
    expect(detail.hosts.map((h) => [h.host_name, h.exit_code])).toEqual([[hostA, 3]]);
  });

  it("exports hosts to CSV: waits for the task, then downloads through the signed link", async () => {
    const file = path.join(home, "hosts.csv");
    const res = await fleetgate([
      "exports",
      "create",
      "hosts",
      "--format",
      "csv",
      "-f",
      `search=${suffix}`,
      "-O",
      file,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/task [0-9a-f-]{36}: SUCCESS/);
    const csv = readFileSync(file, "utf8");
    expect(csv.split("\r\n")[0]).toContain("fqdn");
    expect(csv).toContain(hostA);
    expect(csv).toContain(hostB);
  });

  it("maps refusals to exit codes: 5 not found, 4 bad token, 2 usage", async () => {
    const missing = await fleetgate(["hosts", "show", `no-such-host-${suffix}`]);
    expect(missing.code).toBe(5);
    const bad = await fleetgate(["hosts", "list"], { FLEETGATE_TOKEN: "ztlu_000000000000000000000000000000000000" });
    expect(bad.code).toBe(4);
    const usage = await fleetgate(["run", "echo"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--hosts");
  });

  it("audit verify checks saved checkpoints and entries offline, and detects a tampered checkpoint", async () => {
    const cpFile = path.join(home, "checkpoints.json");
    let saved: { checkpoints: { size: number; head_hash: string }[] } = { checkpoints: [] };
    const deadline = Date.now() + 45_000;
    while (saved.checkpoints.length === 0 && Date.now() < deadline) {
      const r = await fleetgate(["audit", "checkpoints", "--all", "-o", "json"]);
      expect(r.code, r.stderr).toBe(0);
      saved = JSON.parse(r.stdout) as typeof saved;
      if (saved.checkpoints.length === 0) await new Promise((res) => setTimeout(res, 1000));
    }
    expect(saved.checkpoints.length).toBeGreaterThan(0);
    writeFileSync(cpFile, JSON.stringify(saved));
    // The key is pinned from the unauthenticated endpoint, as an auditor would keep it.
    const keyFile = path.join(home, "audit-key.json");
    writeFileSync(keyFile, await (await fetch(`${base()}/api/v1/audit/checkpoints/jwks.json`)).text());
    const entries = await fleetgate(["audit", "list", "--all", "-o", "ndjson"]);
    expect(entries.code, entries.stderr).toBe(0);
    const entriesFile = path.join(home, "entries.ndjson");
    writeFileSync(entriesFile, entries.stdout);
    const ok = await fleetgate([
      "audit",
      "verify",
      "--checkpoints",
      cpFile,
      "--key",
      keyFile,
      "--entries",
      entriesFile,
      "-o",
      "json",
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; verified_size: number; entries_checked: number };
    expect(report.ok).toBe(true);
    expect(report.verified_size).toBe(Math.max(...saved.checkpoints.map((c) => c.size)));
    expect(report.entries_checked).toBeGreaterThanOrEqual(report.verified_size);
    // One changed head hash in the saved file: its signature no longer verifies.
    const first = saved.checkpoints[0];
    if (!first) throw new Error("no checkpoint");
    const tampered = {
      ...saved,
      checkpoints: [{ ...first, head_hash: "f".repeat(64) }, ...saved.checkpoints.slice(1)],
    };
    writeFileSync(cpFile, JSON.stringify(tampered));
    const bad = await fleetgate(["audit", "verify", "--checkpoints", cpFile, "--key", keyFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`✗ checkpoint:${first.size}: signature does not verify`);
  });

  it("logs out: the refresh token is revoked and the credentials are gone", async () => {
    const creds = JSON.parse(readFileSync(path.join(home, "config/fleetgate/credentials.json"), "utf8")) as {
      contexts: Record<string, { refresh_token: string }>;
    };
    const refresh = creds.contexts.default?.refresh_token;
    const res = await fleetgate(["logout"]);
    expect(res.code, res.stderr).toBe(0);
    const reuse = await fetch(`${base()}/api/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: refresh }),
    });
    expect(reuse.status).toBe(401);
    expect((await fleetgate(["whoami"])).code).toBe(4);
  });

  it("login --sso: the code it shows is approved by a signed-in user, and the CLI gets that user's session", async () => {
    const child = spawn(process.execPath, [bin, "login", "--sso", "--url", base()], {
      env: {
        ...process.env,
        FLEETGATE_TOKEN: undefined,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, "config"),
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const userCode = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        const m = /shows the code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(stderr);
        if (m?.[1]) resolve(m[1]);
      });
      child.on("exit", () => reject(new Error(`login --sso exited early: ${stderr}`)));
    });
    expect(stderr).toContain(`open ${base()}/app/device`);
    // A signed-in user (the admin) approves it in the dashboard, which calls this endpoint with its session.
    expect(
      await api("/api/v1/auth/device/approve", { method: "POST", json: { user_code: userCode, approve: true } }),
    ).toEqual({
      status: "approved",
    });
    expect(await exited, stderr).toBe(0);
    const who = await fleetgate(["whoami", "-o", "json"]);
    expect(who.code, who.stderr).toBe(0);
    const admin = (await api("/api/v1/users/me")) as { username: string };
    expect((JSON.parse(who.stdout) as { username: string }).username).toBe(admin.username);
  });
});

describe("fleetgate ci login in a simulated GitHub Actions job", () => {
  const provider = new OAuth2Server();
  let tokenServer: Server;
  let requestUrl = "";
  let issuerId = "";
  const requestToken = `gha-request-${suffix}`;
  const audiences: string[] = [];

  beforeAll(async () => {
    await provider.issuer.keys.generate("RS256");
    await provider.start(0, "127.0.0.1");
    // GitHub's ID token endpoint: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the request token.
    tokenServer = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.headers.authorization !== `Bearer ${requestToken}`) {
        res.writeHead(401).end();
        return;
      }
      const aud = url.searchParams.get("audience") ?? "";
      audiences.push(aud);
      const value = await provider.issuer.buildToken({
        scopesOrTransform: (_h, payload) => {
          Object.assign(payload, {
            aud,
            sub: "repo:acme/infra:ref:refs/heads/main",
            repository: "acme/infra",
            ref: "refs/heads/main",
            run_id: "4242",
            jti: crypto.randomUUID(),
          });
        },
        expiresIn: 300,
      });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ count: 1, value }));
    });
    await new Promise<void>((r) => tokenServer.listen(0, "127.0.0.1", r));
    requestUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/_apis/token?api-version=2.0`;
    const sa = await api("/api/v1/service-accounts", {
      method: "POST",
      json: { name: `gha-cli-${suffix}`, role: "operator" },
    });
    const issuer = await api("/api/v1/token-issuers", {
      method: "POST",
      json: {
        name: `gha-cli-${suffix}`,
        issuer_uri: provider.issuer.url,
        audience: "fleetgate-ci",
        condition: 'claims.repository == "acme/infra"',
        max_validity: 600,
        service_account_id: sa.id,
      },
    });
    issuerId = String(issuer.id);
  });

  afterAll(async () => {
    if (provider.listening) await provider.stop();
    await new Promise((r) => tokenServer?.close(r));
  });

  const ghEnv = (githubEnv: string) => ({
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_ID: "4242",
    GITHUB_ENV: githubEnv,
    ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    FLEETGATE_URL: base(),
  });

  it("exchanges the job's ID token, masks it and writes FLEETGATE_TOKEN to $GITHUB_ENV", async () => {
    const githubEnv = path.join(home, "github_env");
    writeFileSync(githubEnv, "");
    const res = await fleetgate(
      ["ci", "login", "--issuer", issuerId, "--audience", "fleetgate-ci", "--validity", "300"],
      ghEnv(githubEnv),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(audiences.at(-1)).toBe("fleetgate-ci");
    const written = readFileSync(githubEnv, "utf8");
    const secret = /^FLEETGATE_TOKEN=(ztls_\S+)$/m.exec(written)?.[1] ?? "";
    expect(secret).toMatch(/^ztls_[0-9A-Za-z]{36}$/);
    expect(written).toContain(`FLEETGATE_URL=${base()}\n`);
    // Both the ID token and the minted secret are masked, and the secret never appears unmasked.
    const masks = res.stdout.trim().split("\n");
    expect(masks).toHaveLength(2);
    expect(masks[1]).toBe(`::add-mask::${secret}`);
    expect(res.stderr).not.toContain(secret);
    // The next step uses it with no stored secret.
    const hosts = await fleetgate(["hosts", "list", "--search", suffix, "-o", "json"], {
      FLEETGATE_URL: base(),
      FLEETGATE_TOKEN: secret,
    });
    expect(hosts.code, hosts.stderr).toBe(0);
    expect((JSON.parse(hosts.stdout) as { total: number }).total).toBe(2);
  });

  it("ci exec runs a step with the token in its environment and passes its exit code through", async () => {
    const githubEnv = path.join(home, "github_env_exec");
    writeFileSync(githubEnv, "");
    const script = "process.stdout.write(process.env.FLEETGATE_TOKEN.slice(0,5)); process.exit(7)";
    const res = await fleetgate(
      ["ci", "exec", "--issuer", issuerId, "--audience", "fleetgate-ci", "--", process.execPath, "-e", script],
      {
        ...ghEnv(githubEnv),
        GITHUB_ENV: "",
      },
    );
    expect(res.code).toBe(7);
    expect(res.stdout.endsWith("ztls_")).toBe(true);
    expect(readFileSync(githubEnv, "utf8")).toBe("");
  });

  it("a token from the wrong audience is refused with exit 4", async () => {
    const res = await fleetgate(
      ["ci", "login", "--issuer", issuerId, "--audience", "someone-else"],
      ghEnv(path.join(home, "unused")),
    );
    expect(res.code).toBe(4);
    expect(res.stderr).toContain("refused");
  });
});
