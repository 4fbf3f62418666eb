import { env } from "cloudflare:workers";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

export interface SeedHost {
  id?: string;
  name: string;
  fqdn?: string;
  ipAddress?: string;
  displayName?: string;
  osFamily?: string;
  osName?: string;
  healthStatus?: "pending" | "healthy" | "degraded" | "unreachable";
  patchesMissing?: number;
  groupIds?: string[];
}

/** Inserts hosts straight into D1 (the hosts API belongs to another issue); returns their ids. */
export async function seedHosts(hosts: SeedHost[]): Promise<string[]> {
  const now = Date.now();
  const stmts: D1PreparedStatement[] = [];
  const ids: string[] = [];
  for (const h of hosts) {
    const id = h.id ?? crypto.randomUUID();
    ids.push(id);
    stmts.push(
      env.DB.prepare(
        `INSERT INTO hosts (id, name, fqdn, ip_address, display_name, os_family, os_name, health_status, patches_missing, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        id,
        h.name,
        h.fqdn ?? `${h.name}.example.test`,
        h.ipAddress ?? "10.0.0.1",
        h.displayName ?? h.name,
        h.osFamily ?? "debian",
        h.osName ?? "Debian GNU/Linux 12",
        h.healthStatus ?? "healthy",
        h.patchesMissing ?? 0,
        now,
        now,
      ),
    );
    for (const g of h.groupIds ?? []) {
      stmts.push(env.DB.prepare("INSERT INTO host_groups (host_id, group_id) VALUES (?, ?)").bind(id, g));
    }
  }
  if (stmts.length) await env.DB.batch(stmts);
  return ids;
}

/** `n` hosts named `<prefix>-000001`… in one INSERT … SELECT (a recursive CTE): fast even for 100,000. */
export async function seedManyHosts(n: number, prefix: string): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
     INSERT INTO hosts (id, name, fqdn, ip_address, display_name, os_family, os_name, health_status, patches_missing, created_at, updated_at)
     SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
            ?2 || '-' || printf('%06d', i), ?2 || '-' || printf('%06d', i) || '.bulk.test', '10.' || (i / 65536) || '.' || ((i / 256) % 256) || '.' || (i % 256),
            'Bulk host ' || i, 'debian', 'Debian GNU/Linux 12', CASE i % 4 WHEN 0 THEN 'healthy' WHEN 1 THEN 'degraded' WHEN 2 THEN 'unreachable' ELSE 'pending' END,
            i % 7, 1700000000000 + i, 1700000000000 + i
     FROM seq`,
  )
    .bind(n, prefix)
    .run();
}

export async function createGroup(name = `g-${crypto.randomUUID()}`): Promise<string> {
  const admin = await adminLogin();
  const res = await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name } });
  if (res.status !== 200) throw new Error(`group: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function addToGroup(groupId: string, userId: string) {
  const admin = await adminLogin();
  const res = await call(`/api/v1/groups/${groupId}/users/${userId}`, { method: "POST", headers: bearer(admin) });
  if (res.status !== 200) throw new Error(`member: ${res.status}`);
}

/** A service account with a `ztls_` token, via the admin API. */
export async function serviceAccountToken(role: "admin" | "operator" | "reporter" = "operator") {
  const admin = await adminLogin();
  const sa = await call("/api/v1/service-accounts", {
    method: "POST",
    headers: bearer(admin),
    json: { name: `ci-${crypto.randomUUID().slice(0, 8)}`, role },
  });
  if (sa.status !== 201) throw new Error(`sa: ${sa.status} ${await sa.text()}`);
  const { id, name } = (await sa.json()) as { id: string; name: string };
  const tok = await call(`/api/v1/service-accounts/${id}/tokens`, {
    method: "POST",
    headers: bearer(admin),
    json: { name: "ci" },
  });
  const { secret } = (await tok.json()) as { secret: string };
  return { id, name, secret };
}

export const tokenAuth = (secret: string) => ({ authorization: `Token ${secret}` });

export interface ZentralTask {
  name?: string;
  id: string;
  status: string;
  unready: boolean;
  download_url?: string;
  result?: Record<string, unknown>;
}

/** Polls `GET /api/task_result/<id>/` until the task is ready (as Zentral clients do). */
export async function pollTask(id: string, headers: Record<string, string>, timeoutMs = 30_000): Promise<ZentralTask> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(`/api/task_result/${id}/`, { headers });
    if (res.status !== 200) throw new Error(`task_result: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as ZentralTask;
    if (!body.unready) return body;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Follows a task's download_url (302 → signed /files/ link) and returns the file response. */
export async function download(downloadUrl: string, headers: Record<string, string>): Promise<Response> {
  const redirect = await call(downloadUrl, { headers, redirect: "manual" });
  if (redirect.status !== 302) throw new Error(`download: ${redirect.status} ${await redirect.text()}`);
  const location = new URL(redirect.headers.get("location") ?? "");
  return call(`${location.pathname}${location.search}`);
}

/** Inserts a task row directly (for task_result / files / queue tests). */
export async function seedTask(t: {
  id?: string;
  name?: string;
  status: "PENDING" | "STARTED" | "SUCCESS" | "FAILURE" | "REVOKED";
  createdBy: string | null;
  params?: unknown;
  result?: unknown;
  fileKey?: string | null;
  headers?: Record<string, string> | null;
  createdAt?: number;
  finishedAt?: number | null;
  leaseUntil?: number | null;
}): Promise<string> {
  const id = t.id ?? crypto.randomUUID();
  await env.DB.prepare(
    `INSERT INTO tasks (id, name, status, params, result, file_key, headers, attempts, created_by, created_at, finished_at, lease_until)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      t.name ?? "fleetgate.exports.export_inventory",
      t.status,
      JSON.stringify(t.params ?? {}),
      t.result === undefined ? null : JSON.stringify(t.result),
      t.fileKey ?? null,
      t.headers ? JSON.stringify(t.headers) : null,
      t.createdBy,
      t.createdAt ?? Date.now(),
      t.finishedAt ?? null,
      t.leaseUntil ?? null,
    )
    .run();
  return id;
}

export async function taskRow(id: string) {
  return env.DB.prepare("SELECT * FROM tasks WHERE id = ?").bind(id).first<{
    status: string;
    error: string | null;
    attempts: number;
    file_key: string | null;
    result: string | null;
    lease_until: number | null;
  }>();
}

export async function objectKeys(prefix: string): Promise<string[]> {
  const listed = await env.EXPORTS.list({ prefix });
  return listed.objects.map((o) => o.key);
}
