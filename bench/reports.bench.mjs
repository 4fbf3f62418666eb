// `pnpm bench reports`: the compliance and vulnerability reports of a 10,000-host group
// (BENCH_REPORT_HOSTS), CSV and PDF, synchronously (GET /reports/{type}) and through the task
// queue (POST /exports report:<type>): wall time, file size, rows read back and workerd peak RSS.
// Figures only; nothing asserts.
import { PDFDocument } from "@pdfme/pdf-lib";
import { wrangler } from "../scripts/lib/local-server.mjs";
import { adminAuth, api, rssKb, workerdPids } from "./tasks.bench.mjs";

const HOSTS = Number(process.env.BENCH_REPORT_HOSTS ?? 10_000);
const GROUP = "00000000-0000-4000-8000-00000000b0b0";

function d1(ctx, sql) {
  const res = wrangler(["d1", "execute", "DB", "--local", "--persist-to", ctx.persistDir, "--command", sql]);
  if (res.status !== 0) throw new Error(`seeding failed: ${res.stderr}`);
}

/** HOSTS hosts in one group; half reported an inventory; every tenth has an overdue security update with a CVE. */
function seed(ctx) {
  const now = Date.now();
  d1(
    ctx,
    `INSERT INTO groups (id, name, description, created_at, updated_at) VALUES ('${GROUP}', 'bench-reports', '', ${now}, ${now});
     WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${HOSTS})
     INSERT INTO hosts (id, name, fqdn, ip_address, display_name, os_family, os_name, agent_version, health_status, patches_missing, last_seen_at, online, created_at, updated_at)
     SELECT 'rb-' || printf('%06d', i), 'rb-' || printf('%06d', i), 'rb-' || printf('%06d', i) || '.fleet.example.test',
            '10.9.' || ((i / 256) % 256) || '.' || (i % 256), 'Report host ' || i, 'debian', 'Debian GNU/Linux 12', '2.4.1',
            'healthy', CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, ${now} - i * 1000, i % 3 <> 0, ${now}, ${now} FROM seq;
     INSERT INTO host_groups (host_id, group_id) SELECT id, '${GROUP}' FROM hosts WHERE id LIKE 'rb-%';
     INSERT INTO host_patch_state (host_id, inventory_hash, os, package_count, update_count, security_update_count, reboot_required,
       reboot_reasons, removals, lists_age_secs, collected_at, reported_at)
       SELECT id, '', '{}', 0, 0, 0, CAST(substr(id, 4) AS INTEGER) % 20 = 0, '[]', '[]', NULL, ${now}, ${now}
       FROM hosts WHERE id LIKE 'rb-%' AND CAST(substr(id, 4) AS INTEGER) % 2 = 0;
     INSERT INTO host_updates (host_id, name, arch, current_version, candidate_version, source, security, cve_ids, origins, first_seen_at)
       SELECT id, 'openssl', 'amd64', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2', 'openssl', 'true', '["CVE-2024-0727","CVE-2024-2511"]',
         '["Debian-Security:12/bookworm-security"]', ${now - 30 * 86_400_000}
       FROM hosts WHERE id LIKE 'rb-%' AND CAST(substr(id, 4) AS INTEGER) % 10 = 0;`,
  );
}

async function measure(ctx, label, work) {
  const pids = workerdPids(ctx.server.child.pid);
  const baseline = Math.max(0, ...pids.map(rssKb));
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, ...pids.map(rssKb));
  }, 25);
  const t0 = performance.now();
  let out;
  try {
    out = await work();
  } finally {
    clearInterval(sampler);
  }
  const wall = (performance.now() - t0) / 1000;
  return {
    route: label,
    "wall s": wall.toFixed(2),
    "file MB": (out.bytes.byteLength / 1048576).toFixed(2),
    "rows read back": out.rows,
    "workerd RSS MB (before→peak)": `${(baseline / 1024).toFixed(0)}→${(peak / 1024).toFixed(0)}`,
  };
}

/** CSV: data rows read back; PDF: its page count (loaded with pdf-lib). */
async function readBack(format, bytes) {
  if (format === "csv") return new TextDecoder().decode(bytes).split("\r\n").length - 2;
  return `${(await PDFDocument.load(bytes)).getPageCount()} pages`;
}

async function sync(ctx, type, format) {
  const auth = await adminAuth(ctx);
  const res = await fetch(`${ctx.url}/api/v1/reports/${type}?format=${format}&group_id=${GROUP}`, { headers: auth });
  if (res.status !== 200) throw new Error(`GET /reports/${type}: ${res.status} ${await res.text()}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { bytes, rows: await readBack(format, bytes) };
}

async function queued(ctx, type, format) {
  const auth = await adminAuth(ctx);
  const { task_id } = await api(ctx, "/api/v1/exports", {
    method: "POST",
    headers: auth,
    json: { kind: `report:${type}`, format, filters: { group_id: GROUP } },
  });
  let task;
  do {
    await new Promise((r) => setTimeout(r, 100));
    task = await api(ctx, `/api/v1/tasks/${task_id}`, { headers: auth });
  } while (task.unready);
  if (task.status !== "SUCCESS") throw new Error(`report:${type} ${format}: ${task.status} ${task.error}`);
  const redirect = await fetch(`${ctx.url}${task.download_url}`, { headers: auth, redirect: "manual" });
  const bytes = new Uint8Array(await (await fetch(redirect.headers.get("location"))).arrayBuffer());
  return { bytes, rows: await readBack(format, bytes) };
}

export const reportScenarios = [
  {
    name: "reports 10k hosts",
    run: async (ctx) => {
      seed(ctx);
      const n = HOSTS.toLocaleString("en");
      const rows = [];
      for (const type of ["compliance", "vulnerability"])
        for (const format of ["csv", "pdf"]) {
          rows.push(await measure(ctx, `GET /reports/${type} ${n} hosts (${format})`, () => sync(ctx, type, format)));
          rows.push(
            await measure(ctx, `report:${type} ${n} hosts via queue (${format})`, () => queued(ctx, type, format)),
          );
        }
      return rows;
    },
  },
];
