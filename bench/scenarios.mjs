// Bench scenarios. Each has a name, prepare(ctx) → autocannon options (path,
// method, headers, body, setupRequest), and optionally after(ctx) → extra rows.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { agentScenarios } from "./agent-scenarios.mjs";

const json = (method, body, headers = {}) => ({
  method,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function api(ctx, p, init = {}) {
  const res = await fetch(`${ctx.url}${p}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function adminToken(ctx) {
  ctx.adminToken ??= (await api(ctx, "/api/v1/auth/login", json("POST", ctx.admin))).access_token;
  return ctx.adminToken;
}

/** Sessions for the session-certificate cell: 8 certificates each covers 1,200 requests. */
const SESSION_CERT_SESSIONS = 150;
const SESSION_CERTS_PER_SESSION = 8;

let ip = 0;
const nextIp = () => {
  ip++;
  return `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;
};

export const scenarios = [
  {
    name: "GET /health (baseline)",
    prepare: async () => ({ path: "/health" }),
  },
  {
    name: "GET /status/health (D1)",
    prepare: async () => ({ path: "/status/health" }),
  },
  {
    // Login is deliberately expensive (PBKDF2 100k). Rotating users and client
    // addresses keeps the per-account and per-IP login limits out of the figure.
    name: "POST /api/v1/auth/login",
    concurrency: [1, 4],
    prepare: async (ctx) => {
      const token = await adminToken(ctx);
      // 300 accounts × 10 logins/min each keeps the per-account limit above the measured rate.
      const users = Array.from({ length: 300 }, (_, i) => `bench-${Date.now().toString(36)}-${i}`);
      for (let i = 0; i < users.length; i += 10) {
        await Promise.all(
          users
            .slice(i, i + 10)
            .map((username) =>
              api(
                ctx,
                "/api/v1/users",
                json(
                  "POST",
                  { username, email: `${username}@bench.test`, role: "reporter", password: "Bench-User-Pass-1!" },
                  { authorization: `Bearer ${token}` },
                ),
              ),
            ),
        );
      }
      let n = 0;
      return {
        path: "/api/v1/auth/login",
        method: "POST",
        // autocannon applies setupRequest per request only inside `requests`.
        requests: [
          {
            setupRequest: (req) => {
              const username = users[n++ % users.length];
              return {
                ...req,
                headers: { ...req.headers, "content-type": "application/json", "cf-connecting-ip": nextIp() },
                body: JSON.stringify({ username, password: "Bench-User-Pass-1!" }),
              };
            },
          },
        ],
      };
    },
  },
  {
    name: "GET /api/v1/users/me (Bearer JWT)",
    prepare: async (ctx) => ({
      path: "/api/v1/users/me",
      headers: { authorization: `Bearer ${await adminToken(ctx)}` },
    }),
    after: async (ctx) => {
      const rows = [];
      for (const c of [1, 16, 64]) {
        const base = ctx[`GET /health (baseline)@${c}`];
        const auth = ctx[`GET /api/v1/users/me (Bearer JWT)@${c}`];
        if (base && auth) rows.push({ route: "ratio users/me ÷ health", conc: c, "req/s": +(auth / base).toFixed(2) });
      }
      return rows;
    },
  },
  {
    // CSR → certificate over HTTP: Ziti ephemeral session certificates of bench users.
    name: "POST /edge/client/v1/current-api-session/certificates",
    prepare: async (ctx) => {
      // An API session holds at most 8 active session certificates (issue 11, finding 2): spread the
      // requests over enough sessions, made beforehand so that no password check is measured.
      // Sign-ins are limited to 10 per user a minute, so the sessions belong to several bench users,
      // each with a CSR in its own name.
      const admin = { authorization: `Bearer ${await adminToken(ctx)}` };
      const dir = mkdtempSync(path.join(tmpdir(), "fleetgate-bench-csr-"));
      const sessions = [];
      for (let u = 0; sessions.length < SESSION_CERT_SESSIONS; u++) {
        const username = `bench-cert-${process.pid}-${u}`;
        const password = "Bench-User-Pass-1!";
        await api(
          ctx,
          "/api/v1/users",
          json("POST", { username, email: `${username}@bench.test`, role: "reporter", password }, admin),
        );
        const key = path.join(dir, `${u}.key`);
        const out = path.join(dir, `${u}.csr`);
        execFileSync(
          "openssl",
          [
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key,
            "-out",
            out,
            "-subj",
            `/CN=${username}`,
          ],
          { stdio: "ignore" },
        );
        const csr = readFileSync(out, "utf8");
        for (let i = 0; i < 8 && sessions.length < SESSION_CERT_SESSIONS; i++) {
          const res = await fetch(
            `${ctx.url}/edge/client/v1/authenticate?method=password`,
            json("POST", { username, password }, { "cf-connecting-ip": nextIp() }),
          );
          if (!res.ok) throw new Error(`authenticate: ${res.status} ${await res.text()}`);
          sessions.push({ token: (await res.json()).data.token, body: JSON.stringify({ csr }) });
        }
      }
      // One request first: a cell that cannot succeed fails here instead of measuring refusals.
      const probe = await fetch(`${ctx.url}/edge/client/v1/current-api-session/certificates`, {
        method: "POST",
        headers: { "content-type": "application/json", "zt-session": sessions[0]?.token ?? "" },
        body: sessions[0]?.body,
      });
      if (!probe.ok) throw new Error(`session certificate: ${probe.status} ${await probe.text()}`);
      let issued = 1;
      return {
        path: "/edge/client/v1/current-api-session/certificates",
        ...json("POST", {}),
        // autocannon applies setupRequest per request only inside `requests`.
        requests: [
          {
            setupRequest: (req) => {
              const session = sessions[Math.floor(issued++ / SESSION_CERTS_PER_SESSION) % sessions.length];
              return { ...req, body: session?.body, headers: { ...req.headers, "zt-session": session?.token ?? "" } };
            },
          },
        ],
      };
    },
  },
  {
    name: "in-process CPU (PBKDF2, certificate issue)",
    concurrency: [],
    prepare: async () => ({ path: "/health" }),
    after: async () => {
      const out = execFileSync(process.execPath, ["--import", "tsx", "bench/inproc.ts"], { encoding: "utf8" });
      return JSON.parse(out.trim().split("\n").pop() ?? "[]");
    },
  },
  {
    name: "in-process patching (inventory parse, window evaluator)",
    concurrency: [],
    prepare: async () => ({ path: "/health" }),
    after: async () => {
      const out = execFileSync(process.execPath, ["--import", "tsx", "bench/patching.ts"], { encoding: "utf8" });
      return JSON.parse(out.trim().split("\n").pop() ?? "[]");
    },
  },
  // Fan-out to simulated agents (bench/agents.mjs): time to all results, results ingested per second.
  ...agentScenarios,
];
