import { spawn } from "node:child_process";
import http from "node:http";
import https from "node:https";
import type { HealthCheckSpec, HealthResult } from "@fleetgate/contract/agent";

/**
 * Health checks run by the agent (so localhost-only services are reachable), before and after
 * patching and on demand: a systemd unit's state, or an HTTP(S) endpoint's status and body.
 * Unlike the reference product, TLS certificates are verified unless the check says otherwise.
 */
export interface HealthOptions {
  /** systemctl binary (tests point it at a stand-in). */
  systemctl?: string;
  timeoutMs?: number;
  maxRedirects?: number;
}

const MAX_BODY = 64 * 1024;

export async function runHealthCheck(check: HealthCheckSpec, opts: HealthOptions = {}): Promise<HealthResult> {
  const started = Date.now();
  const done = (healthy: boolean, detail: string): HealthResult => ({
    check_id: check.id,
    healthy,
    detail: detail.slice(0, 1024),
    latency_ms: Date.now() - started,
  });
  try {
    if (check.check_type === "service") {
      const r = await serviceState(check.service_name, opts.systemctl ?? "systemctl", opts.timeoutMs ?? 10_000);
      return done(r.healthy, r.detail);
    }
    const r = await httpProbe(check, opts.timeoutMs ?? 10_000, opts.maxRedirects ?? 5);
    return done(r.healthy, r.detail);
  } catch (err) {
    return done(false, err instanceof Error ? err.message : String(err));
  }
}

/** `systemctl show`: healthy when active/running, or an active oneshot/socket-activated unit. */
async function serviceState(unit: string, systemctl: string, timeoutMs: number) {
  const out = await capture(
    systemctl,
    ["show", "--property=LoadState,ActiveState,SubState,UnitFileState", "--", unit],
    timeoutMs,
  );
  const props = new Map(
    out
      .split("\n")
      .map((l) => l.split("="))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== undefined && kv[1] !== undefined),
  );
  const load = props.get("LoadState") ?? "";
  const active = props.get("ActiveState") ?? "";
  const sub = props.get("SubState") ?? "";
  if (load === "not-found") return { healthy: false, detail: `${unit}: unit not found` };
  const healthy = active === "active" && (sub === "running" || sub === "exited" || sub === "listening");
  return { healthy, detail: `${unit}: ${active}/${sub}` };
}

function capture(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" }, shell: false });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (out.length < MAX_BODY) out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${code}`));
    });
  });
}

type HttpCheck = Extract<HealthCheckSpec, { check_type: "http" }>;

/** GET with redirects (≤ maxRedirects), 2xx and the expected body substring when one is set. */
async function httpProbe(check: HttpCheck, timeoutMs: number, maxRedirects: number) {
  let url = new URL(check.url);
  for (let hop = 0; ; hop++) {
    const res = await get(url, check, timeoutMs);
    if (res.status >= 300 && res.status < 400 && res.location) {
      if (hop >= maxRedirects) return { healthy: false, detail: `too many redirects (> ${maxRedirects})` };
      const next = new URL(res.location, url);
      // Credentials only go to the origin they were configured for.
      if (next.origin !== url.origin) check = { ...check, basic_auth_user: null, basic_auth_pass: null };
      url = next;
      continue;
    }
    if (res.status < 200 || res.status >= 300) return { healthy: false, detail: `HTTP ${res.status}` };
    if (check.expected_body && !res.body.includes(check.expected_body)) {
      return { healthy: false, detail: `HTTP ${res.status}, expected body not found` };
    }
    return { healthy: true, detail: `HTTP ${res.status}` };
  }
}

function get(
  url: URL,
  check: HttpCheck,
  timeoutMs: number,
): Promise<{ status: number; body: string; location: string | null }> {
  const headers: Record<string, string> = { "user-agent": "fleetgate-agent-healthcheck" };
  if (check.basic_auth_user !== null) {
    const pair = `${check.basic_auth_user}:${check.basic_auth_pass ?? ""}`;
    headers.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  }
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (body.length < MAX_BODY) body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location ?? null }));
      res.on("error", reject);
    };
    const req =
      url.protocol === "https:"
        ? https.request(url, { method: "GET", headers, rejectUnauthorized: !check.ignore_cert_errors }, onResponse)
        : http.request(url, { method: "GET", headers }, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.once("error", reject);
    req.end();
  });
}
