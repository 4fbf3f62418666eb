import type { HealthCheckSpec } from "@fleetgate/contract";
import { commitAudited } from "../audit/audit.service";
import type { Visibility } from "../fleet/visibility";
import { healthCheckResults } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { checkSecret, getCheck, type HealthCheckRow, type HealthResultRow } from "./health-checks.service";

/** How long `test` waits for the agent (its own per-check timeout is 10 s; redirects can add up). */
const TEST_TIMEOUT_MS = 30_000;

/** The check as the agent runs it (the password decrypted for the agent only). */
export async function healthSpec(ctx: DomainContext, row: HealthCheckRow): Promise<HealthCheckSpec> {
  if (row.checkType === "service") {
    return { id: row.id, check_type: "service", service_name: row.serviceName ?? "" };
  }
  return {
    id: row.id,
    check_type: "http",
    url: row.url ?? "",
    expected_body: row.expectedBody,
    ignore_cert_errors: row.ignoreCertErrors,
    basic_auth_user: row.basicAuthUser,
    basic_auth_pass: await checkSecret(ctx, row),
  };
}

export interface CheckTestResult {
  healthy: boolean;
  detail: string;
  latency_ms: number;
}

/**
 * `POST …/health-checks/{id}/test`: the host's agent runs the check now. Its result is kept
 * (phase `test`) and counts for the host's `health_check_status`. When the agent cannot run
 * it (offline, no answer in time) the answer is unhealthy with the reason and nothing is kept.
 */
export async function testCheck(
  ctx: DomainContext,
  checkId: string,
  v: Visibility,
  hostId?: string,
): Promise<CheckTestResult> {
  const check = await getCheck(ctx, checkId, v, hostId);
  const outcome = await ctx.hostChannels.runHealthChecks(check.hostId, [await healthSpec(ctx, check)], TEST_TIMEOUT_MS);
  const result = outcome.ok ? outcome.results[0] : undefined;
  if (!result) {
    const detail = `not run: ${outcome.ok ? "the agent returned no result" : outcome.error}`;
    await commitAudited(ctx, [], {
      action: "health_check.test",
      targetType: "host",
      targetId: check.hostId,
      outcome: "failure",
      detail: { check: check.id, error: detail },
    });
    return { healthy: false, detail, latency_ms: 0 };
  }
  const row: HealthResultRow = {
    id: newId(),
    checkId: check.id,
    hostId: check.hostId,
    healthy: result.healthy,
    detail: result.detail.slice(0, 1024),
    latencyMs: result.latency_ms,
    phase: "test",
    jobId: null,
    checkedAt: ctx.now(),
  };
  await commitAudited(ctx, [ctx.db.insert(healthCheckResults).values(row)], {
    action: "health_check.test",
    targetType: "host",
    targetId: check.hostId,
    detail: { check: check.id, healthy: row.healthy },
  });
  return { healthy: row.healthy, detail: row.detail, latency_ms: row.latencyMs };
}
