import type { Schemas } from "@fleetgate/sdk";

export type PatchJobBody = Schemas["CreatePatchJobRequest"];

/** The choices of the patch deployment form, as typed. */
export interface PatchForm {
  what: "all" | "security" | "packages";
  /** Package names, separated by commas, spaces or new lines (used when `what` is "packages"). */
  packages: string;
  /** "now", "windows" (each host's own next maintenance window), or the id of one window. */
  when: string;
  /** Expected run time per host in a window (minutes): no host starts after the window's end minus this. */
  expectedMinutes: number;
  maxParallel: number;
  /** Empty (no threshold), a count ("3") or a percentage ("10%"). */
  errorThreshold: string;
  timeoutSeconds: number;
  notes: string;
  /**
   * Ring sizes of a health-gated rollout in the order of the selection, e.g. "1, 4": the first
   * selected host is ring 1, the next four ring 2. Empty: no rings.
   */
  rings: string;
  /** "" (no health gate), "stop" or "rollback" (docs/patching.md "Rings"). */
  onHealthFailure: "" | "stop" | "rollback";
}

/** The form as it opens: security updates only, now, 64 hosts at a time, an hour per host, no rings. */
export const PATCH_FORM_DEFAULTS: PatchForm = {
  what: "security",
  packages: "",
  when: "now",
  expectedMinutes: 15,
  maxParallel: 64,
  errorThreshold: "",
  timeoutSeconds: 3600,
  notes: "",
  rings: "",
  onHealthFailure: "",
};

export type PlanResult = { ok: true; body: PatchJobBody } | { ok: false; field: keyof PatchForm; message: string };

const PACKAGE = /^[a-z0-9][a-z0-9+.\-_:]*$/i;

/**
 * Turns the form into the body of `POST /jobs` (kind `patch_apply`), or names the field that is
 * wrong, so that nothing the server must refuse is sent. The server still validates everything.
 */
export function patchJobBody(hostIds: string[], form: PatchForm): PlanResult {
  if (hostIds.length === 0) return { ok: false, field: "what", message: "Select at least one host." };
  const packages =
    form.what === "packages"
      ? form.packages
          .split(/[\s,]+/)
          .map((p) => p.trim())
          .filter((p) => p !== "")
      : [];
  if (form.what === "packages") {
    if (packages.length === 0) return { ok: false, field: "packages", message: "Name at least one package." };
    const bad = packages.find((p) => !PACKAGE.test(p) || p.length > 256);
    if (bad !== undefined) return { ok: false, field: "packages", message: `Not a package name: ${bad}` };
  }
  const t = form.errorThreshold.trim();
  let errorThreshold: PatchJobBody["error_threshold"] = null;
  if (t !== "") {
    if (/^(100|[1-9]?[0-9])%$/.test(t)) errorThreshold = t;
    else if (/^\d{1,5}$/.test(t) && Number(t) <= 10_000) errorThreshold = Number(t);
    else
      return { ok: false, field: "errorThreshold", message: "A number of hosts (e.g. 2) or a percentage (e.g. 10%)." };
  }
  if (!Number.isInteger(form.maxParallel) || form.maxParallel < 1 || form.maxParallel > 10_000) {
    return { ok: false, field: "maxParallel", message: "Between 1 and 10000 hosts at a time." };
  }
  if (!Number.isInteger(form.timeoutSeconds) || form.timeoutSeconds < 60 || form.timeoutSeconds > 86_400) {
    return { ok: false, field: "timeoutSeconds", message: "Between 60 and 86400 seconds." };
  }
  const unique = [...new Set(hostIds)];
  const sizesText = form.rings.trim();
  let rings: string[][] | undefined;
  if (sizesText !== "") {
    const sizes = sizesText.split(/[\s,]+/).map((x) => (/^\d{1,5}$/.test(x) ? Number(x) : Number.NaN));
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
      return { ok: false, field: "rings", message: "Ring sizes are whole numbers of hosts, e.g. 1, 4." };
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== unique.length) {
      return {
        ok: false,
        field: "rings",
        message: `The ring sizes add up to ${total}, but ${unique.length} host(s) are selected.`,
      };
    }
    let at = 0;
    rings = sizes.map((n) => {
      const ring = unique.slice(at, at + n);
      at += n;
      return ring;
    });
  }
  const gate = rings !== undefined || form.onHealthFailure !== "";
  const now = form.when === "now";
  if (!now && (!Number.isInteger(form.expectedMinutes) || form.expectedMinutes < 1 || form.expectedMinutes > 1440)) {
    return { ok: false, field: "expectedMinutes", message: "Between 1 and 1440 minutes." };
  }
  return {
    ok: true,
    body: {
      kind: "patch_apply",
      host_ids: unique,
      packages,
      security_only: form.what === "security",
      immediate: now,
      ...(now ? {} : { expected_minutes: form.expectedMinutes }),
      ...(now || form.when === "windows" ? {} : { maintenance_window_id: form.when }),
      max_parallel: form.maxParallel,
      error_threshold: errorThreshold,
      timeout_seconds: form.timeoutSeconds,
      notes: form.notes,
      ...(rings ? { rings } : {}),
      ...(gate ? { on_health_failure: form.onHealthFailure === "" ? "stop" : form.onHealthFailure } : {}),
    },
  };
}
