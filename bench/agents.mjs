// Load harness: N simulated agents in one process, each with a real
// certificate (enrolled through the admin enrollment API + a one-time token +
// a CSR, exactly as the real agent does), a real certificate-bound proof, a
// real WebSocket to /agent/v1/connect, and the real protocol
// (docs/agent-protocol.md): hello → welcome; run → result (the agent answers at once, so the
// result implies the ack, as the real agent's deferred ack does); ping → pong; a duplicate run →
// ack duplicate + the stored result. BENCH_EAGER_ACK=1 sends an ack before every result, as
// agents before session 7 did (to compare the two in one run).
//
// Used by bench/scenarios.mjs (`pnpm bench agents`) and standalone:
//   node bench/agents.mjs --url http://127.0.0.1:8787 --count 100 [--username admin --password …]
// which enrolls N hosts, keeps their agents connected and prints counters until Ctrl-C.
import "reflect-metadata";
import { createHash, webcrypto } from "node:crypto";
import { parseArgs } from "node:util";
import * as x509 from "@peculiar/x509";
import { SignJWT } from "jose";
import WebSocket from "ws";

x509.cryptoProvider.set(webcrypto);

const PROOF_TYP = "fleetgate-agent-proof+jwt";
/** Send an ack before every result, as agents before session 7 did (`BENCH_EAGER_ACK=1`). */
const EAGER_ACK = process.env.BENCH_EAGER_ACK === "1";

async function api(url, path, { method = "GET", access, json } = {}) {
  const headers = { "content-type": "application/json" };
  if (access) headers.authorization = `Bearer ${access}`;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Logs in and returns an access token. */
export async function login(url, username, password) {
  const r = await api(url, "/api/v1/auth/login", { method: "POST", json: { username, password } });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

async function retry(fn, attempts = 5) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * i));
    }
  }
}

/** Enrolls one host: admin enrollment → OTT enroll with a CSR for a fresh P-256 key. */
export async function enrollHost(url, access, name) {
  const e = await retry(async () => {
    const r = await api(url, "/api/v1/enrollments", {
      method: "POST",
      access,
      json: { name, kind: "host", method: "ott" },
    });
    if (r.status !== 201) throw new Error(`enrollment ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  });
  const keys = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${e.identity_id}`,
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  const r = await api(url, "/edge/client/v1/enroll/ott", {
    method: "POST",
    json: { token: e.jwt, clientCsr: csr.toString("pem") },
  });
  if (r.status !== 200) throw new Error(`enroll ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  const certPem = r.body.data.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)[0];
  const der = Buffer.from(new x509.X509Certificate(certPem).rawData);
  const thumb = createHash("sha256").update(der).digest("base64url");
  return { id: e.identity_id, name, keys, thumb };
}

/** Calls `onProgress(done)` every `every` completions (bench progress lines). */
function counter(onProgress, every = 500) {
  let done = 0;
  return () => {
    done++;
    if (onProgress && done % every === 0) onProgress(done);
  };
}

/** Enrolls `count` hosts named `<prefix>-<i>`, `concurrency` at a time. */
export async function enrollHosts(
  url,
  access,
  count,
  prefix = `bench-${Date.now().toString(36)}`,
  concurrency = 8,
  onProgress = undefined,
) {
  const hosts = new Array(count);
  const tick = counter(onProgress);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        hosts[i] = await enrollHost(url, access, `${prefix}-${String(i).padStart(4, "0")}`);
        tick();
      }
    }),
  );
  return hosts;
}

/**
 * One simulated agent: a WebSocket speaking the agent protocol; scripts answer at once.
 * `answers` maps other command names (e.g. the built-in patch commands) to a function of the run
 * frame returning `{exit_code, stdout}`; `onOther` sees every frame the switch does not handle.
 */
export class SimAgent {
  constructor(url, host, stats, answers = {}) {
    this.url = url;
    this.host = host;
    this.stats = stats;
    this.results = new Map();
    this.answers = answers;
    this.onOther = undefined;
  }

  async connect() {
    const aud = `${this.url}/agent/v1/connect`;
    const iat = Math.floor(Date.now() / 1000);
    const proof = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", typ: PROOF_TYP, "x5t#S256": this.host.thumb })
      .setAudience(aud)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .setJti(crypto.randomUUID())
      .sign(this.host.keys.privateKey);
    const ws = new WebSocket(aud.replace(/^http/, "ws"), {
      headers: { authorization: `Bearer ${proof}` },
      perMessageDeflate: false,
    });
    this.ws = ws;
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`connect ${this.host.name}: HTTP ${res.statusCode}`)),
      );
    });
    const welcomed = new Promise((resolve) => {
      this.onWelcome = resolve;
    });
    ws.on("message", (data) => this.onFrame(JSON.parse(String(data))));
    ws.on("close", () => this.stats.closed++);
    this.send({
      type: "hello",
      protocol: 1,
      agent_version: "bench-sim",
      hostname: this.host.name,
      os: { family: "debian", name: "Debian GNU/Linux 12", version: "12", arch: "x86_64" },
      tags: { bench: "1" },
      scripts: [{ name: "echo", path: "/bin/echo", description: "", executable: true, sha256: "" }],
      completed: [],
    });
    await welcomed;
  }

  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  onFrame(f) {
    switch (f.type) {
      case "welcome":
        this.onWelcome?.();
        return;
      case "ping":
        this.send({ type: "pong", nonce: f.nonce, version: "bench-sim" });
        return;
      case "cancel":
        return;
      case "run": {
        this.stats.runs++;
        const known = this.results.get(f.command_id);
        if (known) {
          this.stats.duplicates++;
          this.send({ type: "ack", command_id: f.command_id, duplicate: true });
          this.send(known);
          return;
        }
        if (EAGER_ACK) this.send({ type: "ack", command_id: f.command_id, duplicate: false });
        const now = Date.now();
        const answer = this.answers[f.script];
        const result =
          f.script === "echo"
            ? { exit_code: 0, error: null, stdout: `${f.args.join(" ")}\n` }
            : answer
              ? { error: null, ...answer(f) }
              : { exit_code: null, error: "not_allowlisted", stdout: "" };
        const frame = {
          type: "result",
          command_id: f.command_id,
          ...result,
          stderr: "",
          truncated: false,
          started_at: now,
          finished_at: now,
        };
        this.results.set(f.command_id, frame);
        this.send(frame);
        this.stats.results++;
        return;
      }
      default:
        this.onOther?.(f);
    }
  }

  close() {
    this.ws?.close(1000, "bye");
  }
}

/** Connects an agent for every host, `concurrency` handshakes at a time. */
export async function connectAgents(url, hosts, concurrency = 32, answers = {}, onProgress = undefined) {
  const stats = { runs: 0, results: 0, duplicates: 0, closed: 0 };
  const agents = hosts.map((h) => new SimAgent(url, h, stats, answers));
  const tick = counter(onProgress);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, agents.length) }, async () => {
      while (next < agents.length) {
        const a = agents[next++];
        await retry(() => a.connect(), 3);
        tick();
      }
    }),
  );
  return {
    agents,
    stats,
    close: () => {
      for (const a of agents) a.close();
    },
  };
}

// ---- standalone -----------------------------------------------------------------

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://127.0.0.1:8787" },
      count: { type: "string", default: "100" },
      username: { type: "string", default: process.env.FLEETGATE_ADMIN_USERNAME ?? "admin" },
      password: { type: "string", default: process.env.FLEETGATE_ADMIN_PASSWORD ?? "" },
    },
  });
  const count = Number(values.count);
  const access = await login(values.url, values.username, values.password);
  const t0 = Date.now();
  const hosts = await enrollHosts(values.url, access, count);
  console.log(`enrolled ${count} hosts in ${Date.now() - t0} ms`);
  const t1 = Date.now();
  const fleet = await connectAgents(values.url, hosts);
  console.log(`connected ${count} agents in ${Date.now() - t1} ms; host names ${hosts[0].name} … ${hosts.at(-1).name}`);
  setInterval(() => console.log(JSON.stringify(fleet.stats)), 5000).unref();
  await new Promise((resolve) => process.once("SIGINT", resolve));
  fleet.close();
}
