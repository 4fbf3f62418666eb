/**
 * Posture evaluation, pure: does what an API session reported (POST
 * /posture-response) satisfy a posture check? Mirrors the OpenZiti
 * controller's checks (OS, PROCESS, PROCESS_MULTI, DOMAIN, MAC, MFA).
 */
export interface PostureCheck {
  id: string;
  typeId: string;
  params: Record<string, unknown>;
}

export interface PostureResponse {
  checkId: string;
  typeId: string;
  data: Record<string, unknown>;
  updatedAt: number;
}

export interface SessionPosture {
  /** The session completed MFA (TOTP) and when, or null. */
  mfaAt: number | null;
  now: number;
}

export interface PostureResult {
  isPassing: boolean;
  /** Seconds until an MFA check times out; -1 when it never does (as the controller reports). */
  timeoutRemaining: number;
  timeout: number;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown) => arr(v).filter((x): x is string => typeof x === "string");
const normMac = (m: string) => m.toLowerCase().replace(/[^0-9a-f]/g, "");

/** Compares dotted numeric versions ("10.0.19041" vs "10.0"): negative, zero or positive. */
export function compareDotted(a: string, b: string): number {
  const pa = a.split(".").map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** An OS version constraint as OpenZiti writes them: `>=10.0.0`, `<11`, `=12.1`, or a bare version (prefix match). */
export function versionSatisfies(version: string, constraint: string): boolean {
  const m = /^\s*(>=|<=|>|<|=)?\s*([0-9][0-9.]*)\s*$/.exec(constraint);
  if (!m?.[2]) return false;
  const c = compareDotted(version, m[2]);
  switch (m[1]) {
    case ">=":
      return c >= 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case "<":
      return c < 0;
    case "=":
      return c === 0;
    default:
      return version === m[2] || version.startsWith(`${m[2]}.`);
  }
}

function processPasses(spec: Record<string, unknown>, r: Record<string, unknown> | undefined): boolean {
  if (!r || r.isRunning !== true) return false;
  if (str(r.path) !== str(spec.path)) return false;
  const hashes = strs(spec.hashes).map((h) => h.toLowerCase());
  if (hashes.length > 0 && !hashes.includes(str(r.hash).toLowerCase())) return false;
  const signers = [
    ...strs(spec.signerFingerprints),
    ...(str(spec.signerFingerprint) ? [str(spec.signerFingerprint)] : []),
  ];
  const reported = strs(r.signerFingerprints).map((s) => s.toLowerCase());
  if (signers.length > 0 && !signers.some((s) => reported.includes(s.toLowerCase()))) return false;
  return true;
}

/** Evaluates one check against the session's responses. */
export function evaluatePosture(
  check: PostureCheck,
  responses: readonly PostureResponse[],
  session: SessionPosture,
): PostureResult {
  const r = responses.find((x) => x.checkId === check.id);
  const none = { timeoutRemaining: -1, timeout: -1 };
  switch (check.typeId) {
    case "OS": {
      if (!r) return { isPassing: false, ...none };
      const type = str(r.data.type).toLowerCase();
      const version = str(r.data.version);
      const ok = arr(check.params.operatingSystems).some((os) => {
        const o = os as Record<string, unknown>;
        if (str(o.type).toLowerCase() !== type) return false;
        const versions = strs(o.versions);
        return versions.length === 0 || versions.some((v) => versionSatisfies(version, v));
      });
      return { isPassing: ok, ...none };
    }
    case "PROCESS": {
      const spec = (check.params.process ?? {}) as Record<string, unknown>;
      const reported = r ? ((r.data.processes as Record<string, Record<string, unknown>> | undefined) ?? {}) : {};
      return { isPassing: processPasses(spec, reported[str(spec.path)]), ...none };
    }
    case "PROCESS_MULTI": {
      const specs = arr(check.params.processes) as Record<string, unknown>[];
      const reported = r ? ((r.data.processes as Record<string, Record<string, unknown>> | undefined) ?? {}) : {};
      const results = specs.map((s) => processPasses(s, reported[str(s.path)]));
      const ok =
        check.params.semantic === "AnyOf" ? results.some(Boolean) : results.length > 0 && results.every(Boolean);
      return { isPassing: ok, ...none };
    }
    case "DOMAIN": {
      const domain = r ? str(r.data.domain).toLowerCase() : "";
      return { isPassing: !!domain && strs(check.params.domains).some((d) => d.toLowerCase() === domain), ...none };
    }
    case "MAC": {
      const reported = new Set(r ? strs(r.data.macAddresses).map(normMac) : []);
      return { isPassing: strs(check.params.macAddresses).some((m) => reported.has(normMac(m))), ...none };
    }
    case "MFA":
      return evaluateMfa(check, responses, session);
    default:
      return { isPassing: false, ...none };
  }
}

function evaluateMfa(
  check: PostureCheck,
  responses: readonly PostureResponse[],
  session: SessionPosture,
): PostureResult {
  const timeout = typeof check.params.timeoutSeconds === "number" ? check.params.timeoutSeconds : -1;
  if (session.mfaAt === null) return { isPassing: false, timeoutRemaining: 0, timeout };
  // A wake or unlock reported after the MFA answer asks for the code again when the check says so.
  const state = responses.find((x) => x.typeId === "ENDPOINT_STATE");
  if (state && state.updatedAt > session.mfaAt) {
    if (
      (check.params.promptOnWake === true && state.data.woken === true) ||
      (check.params.promptOnUnlock === true && state.data.unlocked === true)
    )
      return { isPassing: false, timeoutRemaining: 0, timeout };
  }
  if (timeout < 0) return { isPassing: true, timeoutRemaining: -1, timeout };
  const remaining = Math.floor((session.mfaAt + timeout * 1000 - session.now) / 1000);
  return { isPassing: remaining > 0, timeoutRemaining: Math.max(0, remaining), timeout };
}
