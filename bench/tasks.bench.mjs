// Bench scenarios for async tasks and the CI token exchange (issue 6). Each has
// `run(ctx) → rows` instead of autocannon options: an export is one long job,
// and every token exchange needs a fresh JWT (a jti can be exchanged once).
import { readdirSync, readFileSync } from "node:fs";
import { read } from "@e965/xlsx";
import { OAuth2Server } from "oauth2-mock-server";
import { wrangler } from "../scripts/lib/local-server.mjs";

const HOSTS = Number(process.env.BENCH_EXPORT_HOSTS ?? 100_000);
const EXCHANGES = Number(process.env.BENCH_EXCHANGES ?? 300);

export async function api(ctx, p, init = {}) {
  const headers = { ...(init.json ? { "content-type": "application/json" } : {}), ...init.headers };
  const res = await fetch(`${ctx.url}${p}`, {
    ...init,
    headers,
    body: init.json ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function adminAuth(ctx) {
  ctx.adminToken ??= (await api(ctx, "/api/v1/auth/login", { method: "POST", json: ctx.admin })).access_token;
  return { authorization: `Bearer ${ctx.adminToken}` };
}

/** Pids of the `workerd` processes under the wrangler dev process tree (Linux /proc). */
export function workerdPids(rootPid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const out = [];
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${c}/comm`, "utf8").trim() === "workerd") out.push(c);
      } catch {}
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

export const rssKb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

function seedHosts(ctx, n) {
  const sql = `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})
    INSERT INTO hosts (id, name, fqdn, ip_address, display_name, os_family, os_name, agent_version, health_status, patches_missing, created_at, updated_at)
    SELECT lower(hex(randomblob(16))), 'bench-' || printf('%06d', i), 'bench-' || printf('%06d', i) || '.fleet.example.test',
           '10.' || (i / 65536) || '.' || ((i / 256) % 256) || '.' || (i % 256), 'Bench host ' || i, 'debian', 'Debian GNU/Linux 12',
           '2.4.1', CASE i % 4 WHEN 0 THEN 'healthy' WHEN 1 THEN 'degraded' WHEN 2 THEN 'unreachable' ELSE 'pending' END,
           i % 7, 1700000000000 + i, 1700000000000 + i FROM seq`;
  const res = wrangler(["d1", "execute", "DB", "--local", "--persist-to", ctx.persistDir, "--command", sql]);
  if (res.status !== 0) throw new Error(`seeding hosts failed: ${res.stderr}`);
}

async function exportOnce(ctx, format, search = undefined, label = HOSTS.toLocaleString("en")) {
  const auth = await adminAuth(ctx);
  const pids = workerdPids(ctx.server.child.pid);
  const baseline = Math.max(0, ...pids.map(rssKb));
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, ...pids.map(rssKb));
  }, 25);
  const t0 = performance.now();
  const { task_id } = await api(ctx, "/api/v1/exports", {
    method: "POST",
    headers: auth,
    json: { kind: "hosts", format, filters: { sort_by: "fqdn", ...(search ? { search } : {}) } },
  });
  let task;
  do {
    await new Promise((r) => setTimeout(r, 100));
    task = await api(ctx, `/api/v1/tasks/${task_id}`, { headers: auth });
  } while (task.unready);
  const wall = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (task.status !== "SUCCESS") throw new Error(`export ${format}: ${task.status} ${task.error}`);
  // Download it too: the signed link streams from R2.
  const redirect = await fetch(`${ctx.url}${task.download_url}`, { headers: auth, redirect: "manual" });
  const file = await fetch(redirect.headers.get("location"));
  const body = new Uint8Array(await file.arrayBuffer());
  const bytes = body.byteLength;
  // Read the file back: the row count proves the whole object made it to R2.
  let rowsBack;
  if (format === "csv") rowsBack = new TextDecoder().decode(body).split("\r\n").length - 2;
  else {
    const ref = read(body, { type: "array", sheetRows: 0, dense: true }).Sheets.Inventory["!ref"];
    rowsBack = Number(/(\d+)$/.exec(ref)?.[1] ?? 0) - 1;
  }
  const run = (Date.parse(task.finished_at) - Date.parse(task.started_at)) / 1000;
  return {
    route: `export ${label} hosts (${format})`,
    "task s": run.toFixed(2),
    "request→ready s": wall.toFixed(2),
    "file MB": (bytes / 1048576).toFixed(1),
    "rows read back": rowsBack,
    "workerd RSS MB (before→peak)": `${(baseline / 1024).toFixed(0)}→${(peak / 1024).toFixed(0)}`,
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function exchangeBench(ctx) {
  const provider = new OAuth2Server();
  await provider.issuer.keys.generate("RS256");
  await provider.start(0, "127.0.0.1");
  try {
    const auth = await adminAuth(ctx);
    const sa = await api(ctx, "/api/v1/service-accounts", {
      method: "POST",
      headers: auth,
      json: { name: `bench-ci-${Date.now().toString(36)}` },
    });
    const issuer = await api(ctx, "/api/v1/token-issuers", {
      method: "POST",
      headers: auth,
      json: {
        name: `bench-${Date.now().toString(36)}`,
        issuer_uri: provider.issuer.url,
        audience: "fleetgate",
        condition: 'claims.repository == "acme/infra" && claims.ref == "refs/heads/main"',
        service_account_id: sa.id,
      },
    });
    const mint = () =>
      provider.issuer.buildToken({
        expiresIn: 600,
        scopesOrTransform: (_h, p) =>
          Object.assign(p, {
            aud: "fleetgate",
            sub: "repo:acme/infra:ref:refs/heads/main",
            repository: "acme/infra",
            ref: "refs/heads/main",
            jti: crypto.randomUUID(),
          }),
      });
    const exchange = async (jwt) => {
      const t = performance.now();
      const res = await fetch(`${ctx.url}/api/accounts/token_issuers/oidc/${issuer.id}/auth/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jwt }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`exchange: ${res.status}`);
      return performance.now() - t;
    };
    await exchange(await mint()); // warms the discovery + JWKS cache
    const rows = [];
    for (const conc of [1, 8]) {
      const jwts = await Promise.all(Array.from({ length: EXCHANGES }, mint));
      const lat = [];
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: conc }, async () => {
          while (next < jwts.length) lat.push(await exchange(jwts[next++]));
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      lat.sort((a, b) => a - b);
      rows.push({
        route: "POST …/oidc/{id}/auth/ (cached JWKS)",
        conc,
        "req/s": Math.round(lat.length / secs),
        "p50 ms": Number(percentile(lat, 50).toFixed(1)),
        "p99 ms": Number(percentile(lat, 99).toFixed(1)),
        n: lat.length,
      });
    }
    return rows;
  } finally {
    await provider.stop();
  }
}

export const taskScenarios = [
  {
    name: "export 100k hosts",
    run: async (ctx) => {
      seedHosts(ctx, HOSTS);
      // The 10,000-host rows show that memory does not grow with the row count.
      return [
        await exportOnce(ctx, "csv", "bench-00", "9,999"),
        await exportOnce(ctx, "csv"),
        await exportOnce(ctx, "xlsx", "bench-00", "9,999"),
        await exportOnce(ctx, "xlsx"),
      ];
    },
  },
  { name: "token exchange", run: exchangeBench },
];
