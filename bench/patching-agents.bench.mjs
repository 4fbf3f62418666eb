// `pnpm bench patching` (with the in-process patching cell): one patch_apply job across N
// simulated agents (bench/agents.mjs: real certificates, proofs, WebSockets and protocol).
// Every agent first reports an inventory with one pending security update (so each host has a
// one-package plan), then answers the built-in apply command at once with an ApplyReport.
// Measured: from POST /api/v1/jobs to the job's final state (every host's result written back).
// BENCH_PATCH_AGENTS sets N (default 500, the figure). Figures only; nothing asserts.
import { connectAgents, enrollHosts, login } from "./agents.mjs";

const N = Number(process.env.BENCH_PATCH_AGENTS ?? 500);
const APPLY = "fleetgate-patch-apply";

const inventory = (collectedAt) => ({
  os: {
    id: "debian",
    id_like: [],
    family: "debian",
    version_id: "12",
    codename: "bookworm",
    pretty_name: "Debian GNU/Linux 12 (bookworm)",
    kernel: "6.1.0-18-amd64",
    arch: "x86_64",
  },
  packages: [
    {
      name: "zlib1g",
      version: "1:1.2.13-1",
      arch: "amd64",
      source: "zlib",
      source_version: "1:1.2.13-1",
      status: "ii",
    },
  ],
  updates: [
    {
      name: "zlib1g",
      arch: "amd64",
      current_version: "1:1.2.13-1",
      candidate_version: "1:1.2.13-1+deb12u1",
      origins: ["Debian-Security:12/stable-security"],
      security: true,
      cve_ids: ["CVE-2023-45853"],
    },
  ],
  removals: [],
  reboot_required: false,
  reboot_reasons: [],
  lists_age_secs: 60,
  collected_at: collectedAt,
});

const applyReport = JSON.stringify({
  ok: true,
  error: null,
  changes: [{ name: "zlib1g", arch: "amd64", before: "1:1.2.13-1", after: "1:1.2.13-1+deb12u1" }],
  unvaulted: [],
  vault: [],
  kept_conffiles: [],
  audit_clean: true,
  reboot_required: false,
  output: "",
});

/** Sends each agent's inventory and waits for every acknowledgement. */
async function reportInventories(agents) {
  const now = Date.now();
  await Promise.all(
    agents.map(
      (a) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no inventory_ack for ${a.host.name}`)), 120_000);
          a.onOther = (f) => {
            if (f.type !== "inventory_ack") return;
            clearTimeout(timer);
            a.onOther = undefined;
            resolve();
          };
          a.send({ type: "inventory", inventory: inventory(now) });
        }),
    ),
  );
}

async function patchJob(url, access, hosts) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${access}` };
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/jobs`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      host_ids: hosts.map((h) => h.id),
      packages: [],
      immediate: true,
      security_only: true,
      max_parallel: hosts.length,
    }),
  });
  const created = await res.json();
  if (res.status !== 200) throw new Error(`patch job: ${res.status} ${JSON.stringify(created)}`);
  const createdMs = Math.round(performance.now() - t0);
  for (;;) {
    const d = await (await fetch(`${url}/api/v1/jobs/${created.id}`, { headers })).json();
    if (["succeeded", "failed", "cancelled"].includes(d.job.status)) {
      return { createdMs, ms: Math.round(performance.now() - t0), ok: d.job.succeeded_count, status: d.job.status };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const patchingAgentScenarios = [
  {
    name: "patching: one patch job across N simulated agents",
    run: async (ctx) => {
      const access = await login(ctx.url, ctx.admin.username, ctx.admin.password);
      const hosts = await enrollHosts(ctx.url, access, N, `bench-patch-${Date.now().toString(36)}`);
      const fleet = await connectAgents(ctx.url, hosts, 32, {
        [APPLY]: () => ({ exit_code: 0, stdout: applyReport }),
      });
      try {
        let t = performance.now();
        await reportInventories(fleet.agents);
        const inventoryMs = Math.round(performance.now() - t);
        t = performance.now();
        const job = await patchJob(ctx.url, access, hosts);
        return [
          { route: "patching: N inventories reported → all acknowledged", conc: N, "ms total": inventoryMs },
          {
            route: "patching: POST /jobs (plans fixed, first wave of N dispatched) → 200",
            conc: N,
            "ms total": job.createdMs,
          },
          {
            route: `patching: patch job across N agents → all results (${job.status})`,
            conc: N,
            "ms total": job.ms,
            succeeded: job.ok,
            "results/s": Math.round((job.ok * 1000) / job.ms),
          },
        ];
      } finally {
        fleet.close();
      }
    },
  },
];
