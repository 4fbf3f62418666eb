import type { ApplyReport, GatedApplyReport } from "@fleetgate/contract/agent";
import { PATCH_EXIT } from "@fleetgate/contract/patching";
import { type BuiltinOutcome, tail } from "./builtin-outcome";
import type { HealthGate } from "./health-gate";
import type { PackageBackend } from "./package-backend";
import { failedReport } from "./remove-check";

/** An apply that changed nothing (a refused pre-check). */
const emptyApply = (error: string): ApplyReport => failedReport(error, "", { audit_clean: true });

/**
 * A health-gated apply (docs/patching.md "Rings"): the host's checks run first — one failing
 * means nothing is changed (exit 3); then the pinned apply; then the checks again — one failing
 * means the packages changed but the host is unhealthy (exit 4: the control plane stops the
 * rollout and, if the job says so, rolls the ring back). Results go to the server either way.
 */
export async function gatedApply(
  backend: PackageBackend,
  gate: HealthGate,
  jobId: string,
  plan: Parameters<PackageBackend["apply"]>[1],
): Promise<BuiltinOutcome> {
  const pre = await gate.check(jobId, "pre");
  if (!pre.healthy) {
    const report: GatedApplyReport = {
      ...emptyApply(`pre-patch health check failed: ${pre.detail}`),
      health: { pre: pre.results, post: null },
    };
    return { ok: false, json: JSON.stringify(report), error: report.error, exit: PATCH_EXIT.preCheckFailed };
  }
  const applied = await backend.apply(jobId, plan);
  if (!applied.ok) {
    const report: GatedApplyReport = {
      ...applied,
      output: tail(applied.output),
      health: { pre: pre.results, post: null },
    };
    return { ok: false, json: JSON.stringify(report), error: null };
  }
  const post = await gate.check(jobId, "post");
  const report: GatedApplyReport = {
    ...applied,
    ...(post.healthy ? {} : { ok: false, error: `post-patch health check failed: ${post.detail}` }),
    output: tail(applied.output),
    health: { pre: pre.results, post: post.results },
  };
  if (!post.healthy) {
    return { ok: false, json: JSON.stringify(report), error: report.error, exit: PATCH_EXIT.postCheckFailed };
  }
  return { ok: true, json: JSON.stringify(report), error: null };
}
