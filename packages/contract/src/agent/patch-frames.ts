import { z } from "zod";
import { decodeJsonChunks, encodeJsonChunks, JOB_ID_ARG } from "./json-args";
import { ALLOW_REBOOT_ARG, RebootOutcome } from "./reboot";

/**
 * Patch-management payloads of the agent protocol (docs/agent-protocol.md, "Patching"): the
 * inventory an agent reports, the plan it applies, what it keeps in its vault and what a
 * rollback did. Versions are the package manager's own strings (dpkg or rpm EVR).
 */
const Name = z.string().min(1).max(256);
const Version = z.string().min(1).max(256);
const Arch = z.string().min(1).max(32);

export const OsFacts = z.object({
  id: z.string().max(64),
  id_like: z.array(z.string().max(64)).max(8),
  family: z.enum(["debian", "rhel", "unknown"]),
  version_id: z.string().max(64),
  codename: z.string().max(64),
  pretty_name: z.string().max(256),
  kernel: z.string().max(256),
  arch: z.string().max(32),
});
export type OsFacts = z.infer<typeof OsFacts>;

export const InstalledPackage = z.object({
  name: Name,
  version: Version,
  arch: Arch,
  source: Name,
  source_version: Version,
  /** dpkg's db:Status-Abbrev ("ii", "hi", "iF", ...) or "ii" for rpm. */
  status: z.string().max(3),
});
export type InstalledPackage = z.infer<typeof InstalledPackage>;

export const PendingUpdate = z.object({
  name: Name,
  arch: Arch,
  /** null when the update installs a package that is not installed yet (a new dependency). */
  current_version: Version.nullable(),
  candidate_version: Version,
  origins: z.array(z.string().max(256)).max(16),
  /** true/false from the repository's metadata; "unknown" when the repository has no advisory data. */
  security: z.union([z.boolean(), z.literal("unknown")]),
  cve_ids: z.array(z.string().regex(/^CVE-\d{4}-\d{4,}$/)).max(500),
});
export type PendingUpdate = z.infer<typeof PendingUpdate>;

export const Inventory = z.object({
  os: OsFacts,
  packages: z.array(InstalledPackage),
  updates: z.array(PendingUpdate),
  /** Packages the simulated upgrade would remove. */
  removals: z.array(Name),
  reboot_required: z.boolean(),
  reboot_reasons: z.array(z.string().max(256)).max(64),
  /** Age of the package lists the pending updates were computed from, seconds; null when unknown. */
  lists_age_secs: z.number().int().nonnegative().nullable(),
  collected_at: z.number().int(),
});
export type Inventory = z.infer<typeof Inventory>;

/** An inventory as a diff against the last one the server acknowledged (`base` is its hash). */
export const InventoryDiff = z.object({
  base: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  os: OsFacts,
  upserted: z.array(InstalledPackage),
  /** `name:arch` keys no longer installed. */
  removed: z.array(z.string().max(300)),
  updates: z.array(PendingUpdate),
  removals: z.array(Name),
  reboot_required: z.boolean(),
  reboot_reasons: z.array(z.string().max(256)).max(64),
  lists_age_secs: z.number().int().nonnegative().nullable(),
  collected_at: z.number().int(),
});
export type InventoryDiff = z.infer<typeof InventoryDiff>;

/** One package of a patch plan: install exactly `to_version` (pinned). */
export const PlanItem = z.object({
  name: Name,
  arch: Arch,
  from_version: Version.nullable(),
  to_version: Version,
});
export type PlanItem = z.infer<typeof PlanItem>;

export const PackageChange = z.object({
  name: Name,
  arch: Arch,
  before: Version.nullable(),
  after: Version.nullable(),
});
export type PackageChange = z.infer<typeof PackageChange>;

export const VaultEntry = z.object({
  name: Name,
  arch: Arch,
  version: Version,
  file: z.string().max(512),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the file came from; "repack" files were rebuilt from the installed files (may embed local conffiles). */
  origin: z.enum(["download", "cache", "repack"]),
});
export type VaultEntry = z.infer<typeof VaultEntry>;

export const ApplyReport = z.object({
  ok: z.boolean(),
  error: z.string().max(4096).nullable(),
  changes: z.array(PackageChange),
  /** Packages of the plan that have no vault copy of their pre-patch version (they cannot be rolled back). */
  unvaulted: z.array(z.object({ name: Name, version: Version, reason: z.string().max(512) })),
  vault: z.array(VaultEntry),
  /** Locally modified conffiles kept; the package's version landed next to them (`*.dpkg-dist`). */
  kept_conffiles: z.array(z.string().max(4096)),
  audit_clean: z.boolean(),
  reboot_required: z.boolean(),
  output: z.string(),
  /** An apply with `--allow-reboot` on a host that then required a reboot: the boot before and after. */
  reboot: RebootOutcome.optional(),
  /** Why an apply with `--allow-reboot` did not reboot although the host requires it (rebooting not enabled on the agent). */
  reboot_skipped: z.string().max(512).optional(),
});
export type ApplyReport = z.infer<typeof ApplyReport>;

export const RollbackReport = z.object({
  ok: z.boolean(),
  error: z.string().max(4096).nullable(),
  restored: z.array(PackageChange),
  /** Packages the patch added, removed again. */
  removed: z.array(Name),
  /** Packages that could not be restored, each with its reason (no vault copy, checksum mismatch...). */
  refused: z.array(z.object({ name: Name, reason: z.string().max(512) })),
  held: z.array(Name),
  /** Every restored package has exactly its recorded version, status `ii`. */
  verified: z.boolean(),
  output: z.string(),
});
export type RollbackReport = z.infer<typeof RollbackReport>;

export const HealthCheckSpec = z.discriminatedUnion("check_type", [
  z.object({ id: z.string().max(64), check_type: z.literal("service"), service_name: z.string().min(1).max(256) }),
  z.object({
    id: z.string().max(64),
    check_type: z.literal("http"),
    url: z.url({ protocol: /^https?$/ }).max(2048),
    expected_body: z.string().max(4096).nullable(),
    ignore_cert_errors: z.boolean(),
    basic_auth_user: z.string().max(256).nullable(),
    basic_auth_pass: z.string().max(1024).nullable(),
  }),
]);
export type HealthCheckSpec = z.infer<typeof HealthCheckSpec>;

export const HealthResult = z.object({
  check_id: z.string().max(64),
  healthy: z.boolean(),
  detail: z.string().max(1024),
  latency_ms: z.number().int().nonnegative(),
});
export type HealthResult = z.infer<typeof HealthResult>;

/** A health-gated apply's report: the ApplyReport plus the results of its pre and post gates. */
export const GatedApplyReport = ApplyReport.extend({
  health: z.object({ pre: z.array(HealthResult).max(16), post: z.array(HealthResult).max(16).nullable() }),
});
export type GatedApplyReport = z.infer<typeof GatedApplyReport>;

// ---- patch frames of the agent protocol ---------------------------------

const RequestId = z.string().min(1).max(64);

/** agent → server: a whole inventory (first report, or when the server has no matching base). */
export const InventoryFrame = z.object({ type: z.literal("inventory"), inventory: Inventory });
/** agent → server: an inventory as a diff against the base the server acknowledged last. */
export const InventoryDiffFrame = z.object({ type: z.literal("inventory_diff"), diff: InventoryDiff });
/** agent → server: the results of a `health_check` request, one per check, in the order asked. */
export const HealthResultsFrame = z.object({
  type: z.literal("health_results"),
  request_id: RequestId,
  results: z.array(HealthResult).max(16),
});

/** Which health gate of a patch run: before the packages change, or after. */
export const GatePhase = z.enum(["pre", "post"]);
const GateJobId = z.string().regex(/^[\w-]{1,64}$/);

/**
 * agent → server: a health-gated apply (docs/patching.md "Rings") asks for the host's enabled
 * health checks now; the server answers with `health_gate_checks` (passwords decrypted for this
 * frame only, never stored in a command).
 */
export const HealthGateFrame = z.object({
  type: z.literal("health_gate"),
  request_id: RequestId,
  job_id: GateJobId,
  phase: GatePhase,
});
/** agent → server: the results of a gate, kept with their phase and job. */
export const HealthGateResultsFrame = z.object({
  type: z.literal("health_gate_results"),
  job_id: GateJobId,
  phase: GatePhase,
  results: z.array(HealthResult).max(16),
});
/** server → agent: the checks of a `health_gate` request (none: nothing gates this host). */
export const HealthGateChecksFrame = z.object({
  type: z.literal("health_gate_checks"),
  request_id: RequestId,
  checks: z.array(HealthCheckSpec).max(16),
});

/**
 * server → agent: the inventory was stored (`hash` = the package set the server now holds: the
 * agent's next diff is against it) or not (`full_needed`: the diff's base is not what the
 * server holds; send the whole inventory).
 */
export const InventoryAck = z.object({
  type: z.literal("inventory_ack"),
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  full_needed: z.boolean(),
});
/** server → agent: collect and report the inventory now (`POST /hosts/{id}/refresh`). */
export const RefreshFrame = z.object({ type: z.literal("refresh") });
/** server → agent: run these health checks now and answer with `health_results`. */
export const HealthCheckFrame = z.object({
  type: z.literal("health_check"),
  request_id: RequestId,
  checks: z.array(HealthCheckSpec).min(1).max(16),
});

// ---- patch commands ------------------------------------------------------

/**
 * Patch work travels as `run` frames of these built-in names (the agent runs its own patch code,
 * never a configured script of the same name): apply `args` = [job id, …plan chunks] (each chunk a
 * JSON array of PlanItem ≤ 4096 characters); rollback `args` = [the patch job's id]. The result's
 * stdout is the JSON ApplyReport / RollbackReport; exit code 0 = ok.
 */
export const PATCH_APPLY_COMMAND = "fleetgate-patch-apply";
export const PATCH_ROLLBACK_COMMAND = "fleetgate-patch-rollback";

/**
 * The second argument of a health-gated apply: the agent runs the host's health checks before
 * (a failure: nothing is changed, exit 3) and after the packages changed (a failure: exit 4).
 */
export const HEALTH_GATE_ARG = "--health-gate";

/** The arguments of an apply command; null when the plan does not fit in one command (split the job). */
export function encodePlanArgs(
  jobId: string,
  plan: PlanItem[],
  opts: { gate?: boolean; allowReboot?: boolean } = {},
): string[] | null {
  const flags = [...(opts.gate ? [HEALTH_GATE_ARG] : []), ...(opts.allowReboot ? [ALLOW_REBOOT_ARG] : [])];
  return encodeJsonChunks([jobId, ...flags], plan);
}

/** The job id, plan and flags of an apply command's arguments; null when they are not a valid plan. */
export function decodePlanArgs(
  args: string[],
): { jobId: string; plan: PlanItem[]; gate: boolean; allowReboot: boolean } | null {
  const [jobId, ...rest] = args;
  if (!jobId || !JOB_ID_ARG.test(jobId)) return null;
  let i = 0;
  const gate = rest[i] === HEALTH_GATE_ARG;
  if (gate) i++;
  const allowReboot = rest[i] === ALLOW_REBOOT_ARG;
  if (allowReboot) i++;
  const plan = decodeJsonChunks(rest.slice(i), PlanItem);
  return plan && plan.length > 0 ? { jobId, plan, gate, allowReboot } : null;
}
