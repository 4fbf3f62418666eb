import { decrypt, encrypt } from "@fleetgate/auth";
import { asc, eq, type SQL, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { Database } from "../db";
import { getVisibleHost } from "../fleet/hosts.service";
import { hostVisible, type Visibility } from "../fleet/visibility";
import { healthCheckResults, healthChecks } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid, newId } from "../shared/ids";

export type HealthCheckRow = typeof healthChecks.$inferSelect;
export type HealthResultRow = typeof healthCheckResults.$inferSelect;
export type HealthCheckWithResult = HealthCheckRow & { lastResult: HealthResultRow | null };

/** Reference limit: at most 5 checks per host (enforced by a trigger, see migration 0006). */
export const MAX_CHECKS_PER_HOST = 5;
const AAD = "health_check.basic_auth_pass";

export interface HealthCheckInput {
  name: string;
  check_type: string;
  service_name?: string | null;
  url?: string | null;
  expected_body?: string | null;
  ignore_cert_errors: boolean;
  basic_auth_user?: string | null;
  basic_auth_pass?: string | null;
  target_host_id?: string | null;
}
export type HealthCheckPatch = Partial<Omit<HealthCheckInput, "check_type">> & { enabled?: boolean };

/** The check's type-specific fields must fit its type. */
function validate(row: Pick<HealthCheckRow, "checkType" | "serviceName" | "url">): void {
  if (row.checkType === "service" && !row.serviceName) {
    throw new DomainError("common.validation", "service checks need service_name");
  }
  if (row.checkType === "http" && !row.url) throw new DomainError("common.validation", "http checks need url");
}

async function checkTarget(ctx: DomainContext, target: string | null | undefined, v: Visibility): Promise<void> {
  if (target) await getVisibleHost(ctx, target, v);
}

/** Latest result of each check matched by `checkFilter` (a condition on health_check_results). */
async function latestResults(ctx: DomainContext, checkFilter: SQL): Promise<Map<string, HealthResultRow>> {
  const rows = await ctx.db
    .select()
    .from(healthCheckResults)
    .where(
      sql`${healthCheckResults.id} IN (SELECT id FROM (SELECT r.id AS id, ROW_NUMBER() OVER (PARTITION BY r.check_id ORDER BY r.checked_at DESC, r.id DESC) AS rn FROM health_check_results r WHERE ${checkFilter}) WHERE rn = 1)`,
    )
    .all();
  return new Map(rows.map((r) => [r.checkId, r]));
}

const withResults = async (ctx: DomainContext, checks: HealthCheckRow[], filter: SQL) => {
  const latest = checks.length ? await latestResults(ctx, filter) : new Map<string, HealthResultRow>();
  return checks.map((c) => ({ ...c, lastResult: latest.get(c.id) ?? null }));
};

/** The checks of one host, with their latest result. */
export async function listHostChecks(
  ctx: DomainContext,
  hostId: string,
  v: Visibility,
): Promise<HealthCheckWithResult[]> {
  await getVisibleHost(ctx, hostId, v);
  const checks = await ctx.db
    .select()
    .from(healthChecks)
    .where(eq(healthChecks.hostId, hostId))
    .orderBy(asc(healthChecks.createdAt), asc(healthChecks.id))
    .all();
  return withResults(ctx, checks, sql`r.host_id = ${hostId}`);
}

/** All checks on hosts the caller may see (optionally one host's). */
export async function listAllChecks(
  ctx: DomainContext,
  v: Visibility,
  hostId?: string,
): Promise<HealthCheckWithResult[]> {
  if (hostId) return listHostChecks(ctx, hostId, v);
  const checks = await ctx.db
    .select()
    .from(healthChecks)
    .where(hostVisible(v, sql`${healthChecks.hostId}`))
    .orderBy(asc(healthChecks.hostId), asc(healthChecks.createdAt), asc(healthChecks.id))
    .all();
  const vis = hostVisible(v, sql`r.host_id`);
  return withResults(ctx, checks, vis ?? sql`1 = 1`);
}

/** One check the caller may see; `hostId` (host-scoped path) must match when given. */
export async function getCheck(
  ctx: DomainContext,
  checkId: string,
  v: Visibility,
  hostId?: string,
): Promise<HealthCheckWithResult> {
  const row = isUuid(checkId)
    ? await ctx.db.select().from(healthChecks).where(eq(healthChecks.id, checkId)).get()
    : undefined;
  if (!row || (hostId !== undefined && row.hostId !== hostId)) {
    if (hostId !== undefined) await getVisibleHost(ctx, hostId, v);
    throw new DomainError("common.not_found", "Health check not found");
  }
  await getVisibleHost(ctx, row.hostId, v);
  const [withResult] = await withResults(ctx, [row], sql`r.check_id = ${row.id}`);
  return withResult ?? { ...row, lastResult: null };
}

export async function createCheck(
  ctx: DomainContext,
  hostId: string,
  input: HealthCheckInput,
  v: Visibility,
): Promise<HealthCheckRow> {
  await getVisibleHost(ctx, hostId, v);
  if (input.check_type !== "service" && input.check_type !== "http") {
    throw new DomainError("health.invalid_check_type");
  }
  await checkTarget(ctx, input.target_host_id, v);
  const id = newId();
  const now = ctx.now();
  const row: HealthCheckRow = {
    id,
    hostId,
    name: input.name,
    checkType: input.check_type,
    enabled: true,
    serviceName: input.check_type === "service" ? (input.service_name ?? null) : null,
    url: input.check_type === "http" ? (input.url ?? null) : null,
    expectedBody: input.check_type === "http" ? (input.expected_body ?? null) : null,
    ignoreCertErrors: input.ignore_cert_errors,
    basicAuthUser: input.basic_auth_user ?? null,
    basicAuthPassEnc: input.basic_auth_pass
      ? await encrypt(ctx.keys.data, input.basic_auth_pass, `${AAD}:${id}`)
      : null,
    targetHostId: input.target_host_id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  validate(row);
  try {
    await commitAudited(ctx, [ctx.db.insert(healthChecks).values(row)], {
      action: "health_check.create",
      targetType: "host",
      targetId: hostId,
      detail: { check: id, check_type: row.checkType },
    });
  } catch (err) {
    if (/health check limit/.test(String(err))) {
      throw new DomainError("health.check_limit", { reason: `host ${hostId} has ${MAX_CHECKS_PER_HOST} checks` });
    }
    throw err;
  }
  return row;
}

export async function updateCheck(
  ctx: DomainContext,
  checkId: string,
  patch: HealthCheckPatch,
  v: Visibility,
  hostId?: string,
): Promise<HealthCheckWithResult> {
  const cur = await getCheck(ctx, checkId, v, hostId);
  await checkTarget(ctx, patch.target_host_id, v);
  const set: Partial<HealthCheckRow> = { updatedAt: ctx.now() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  if (cur.checkType === "service" && patch.service_name !== undefined) set.serviceName = patch.service_name;
  if (cur.checkType === "http" && patch.url !== undefined) set.url = patch.url;
  if (cur.checkType === "http" && patch.expected_body !== undefined) set.expectedBody = patch.expected_body;
  if (patch.ignore_cert_errors !== undefined) set.ignoreCertErrors = patch.ignore_cert_errors;
  if (patch.basic_auth_user !== undefined) set.basicAuthUser = patch.basic_auth_user;
  if (patch.basic_auth_pass !== undefined) {
    set.basicAuthPassEnc = patch.basic_auth_pass
      ? await encrypt(ctx.keys.data, patch.basic_auth_pass, `${AAD}:${cur.id}`)
      : null;
  }
  if (patch.target_host_id !== undefined) set.targetHostId = patch.target_host_id;
  validate({ ...cur, ...set });
  await commitAudited(ctx, [ctx.db.update(healthChecks).set(set).where(eq(healthChecks.id, cur.id))], {
    action: "health_check.update",
    targetType: "host",
    targetId: cur.hostId,
    // Field names only: a password never reaches the audit log.
    detail: { check: cur.id, fields: Object.keys(patch) },
  });
  return { ...cur, ...set };
}

export async function deleteCheck(ctx: DomainContext, checkId: string, v: Visibility, hostId?: string): Promise<void> {
  const cur = await getCheck(ctx, checkId, v, hostId);
  await commitAudited(ctx, [ctx.db.delete(healthChecks).where(eq(healthChecks.id, cur.id))], {
    action: "health_check.delete",
    targetType: "host",
    targetId: cur.hostId,
    detail: { check: cur.id },
  });
}

/** The stored basic-auth password, decrypted for the agent that runs the check (never for an API response). */
export async function checkSecret(ctx: DomainContext, row: HealthCheckRow): Promise<string | null> {
  if (!row.basicAuthPassEnc) return null;
  return decrypt(ctx.keys.data, row.basicAuthPassEnc, `${AAD}:${row.id}`);
}

/** Records a result an agent reported (before/after a patch, on test, on schedule). */
export async function recordHealthResult(
  db: Database,
  check: Pick<HealthCheckRow, "id" | "hostId">,
  result: { healthy: boolean; detail: string; latency_ms: number },
  at: number,
  phase: "pre" | "post" | "test" | "schedule",
  jobId: string | null = null,
): Promise<HealthResultRow> {
  const row: HealthResultRow = {
    id: newId(),
    checkId: check.id,
    hostId: check.hostId,
    healthy: result.healthy,
    detail: result.detail.slice(0, 1024),
    latencyMs: Math.max(0, Math.round(result.latency_ms)),
    phase,
    jobId,
    checkedAt: at,
  };
  await db.insert(healthCheckResults).values(row);
  return row;
}

/** Per host: null (no enabled check with a result), all_healthy or some_unhealthy, from each check's latest result. */
export function healthCheckStatusSql(hostIdColumn: SQL): SQL<string | null> {
  return sql<
    string | null
  >`(SELECT CASE WHEN count(*) = 0 THEN NULL WHEN min(x.healthy) = 1 THEN 'all_healthy' ELSE 'some_unhealthy' END
    FROM (SELECT (SELECT r.healthy FROM health_check_results r WHERE r.check_id = hc.id ORDER BY r.checked_at DESC, r.id DESC LIMIT 1) AS healthy
          FROM health_checks hc WHERE hc.host_id = ${hostIdColumn} AND hc.enabled = 1) x WHERE x.healthy IS NOT NULL)`;
}
