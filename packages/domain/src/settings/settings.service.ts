import { decrypt, encrypt } from "@fleetgate/auth";
import { MASKED, Settings, type SettingsUpdate } from "@fleetgate/contract";
import { eq, inArray } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { isLoopbackHost, refuseTarget } from "../external-jwt/outbound";
import { mfa, settings } from "../schema";
import { ipInCidrs, parseCidr } from "../shared/cidr";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";

/**
 * The settings model: one `settings` row per section (key = section name;
 * ctrl-exec keeps its historical key `ctrl-exec`). Secret fields live only in
 * the row's `secret_enc`, AES-256-GCM under the data key derived from
 * MASTER_KEY with the row key as AAD, never in `value`.
 */
export type SettingsValues = Settings;
type Section = Extract<keyof SettingsValues, string>;

const SECTIONS: Section[] = [
  "oidc",
  "smtp",
  "polling",
  "ip_whitelist",
  "web_tls_strategy",
  "notification",
  "sso_callback_url",
  "allowed_origins",
  "sso_policy",
  "discovery_cidrs",
  "ctrl_exec",
  "compliance",
  "osv",
];
const ROW_KEY: Record<Section, string> = Object.fromEntries(
  SECTIONS.map((s) => [s, s === "ctrl_exec" ? "ctrl-exec" : s]),
) as Record<Section, string>;
/** The one secret field of a section, if it has one. */
const SECRET_FIELD: Partial<Record<Section, string>> = { oidc: "client_secret", smtp: "password" };

export const DEFAULT_SETTINGS: SettingsValues = {
  oidc: {
    enabled: false,
    provider_type: "custom",
    display_name: "SSO",
    discovery_url: "",
    client_id: "",
    client_secret: "",
    redirect_uri: "",
    scopes: "openid email profile",
  },
  smtp: { enabled: false, host: "", port: 587, username: "", password: "", from: "", tls_mode: "starttls" },
  polling: { health_poll_interval_secs: 300, patch_poll_interval_secs: 1800 },
  ip_whitelist: [],
  web_tls_strategy: "cloudflare",
  notification: { email_enabled: false, email_from: "", recipients: [] },
  sso_callback_url: "/app/auth/sso/callback",
  allowed_origins: [],
  sso_policy: { sso_only: false, mfa_required: "off", created_role: "reporter", groups_claim: "" },
  discovery_cidrs: [],
  ctrl_exec: { anonymous_actions: [], anonymous_cidrs: [] },
  compliance: { grace_period_days: 7 },
  osv: {
    enabled: false,
    base_url: "https://osv-vulnerabilities.storage.googleapis.com",
    feeds: ["Debian", "Ubuntu", "Red Hat", "Rocky Linux", "AlmaLinux"],
    refresh_hours: 24,
  },
};

/** Stored values are wrapped as `{v: …}` so that list and string sections fit the JSON-object column. */
function unwrap(section: Section, stored: Record<string, unknown>): unknown {
  if (section === "ctrl_exec") return stored;
  return stored.v;
}
function wrap(section: Section, value: unknown): Record<string, unknown> {
  if (section === "ctrl_exec") return { ...(value as Record<string, unknown>) };
  return { v: value };
}

const aad = (section: Section) => `settings:${ROW_KEY[section]}`;

/**
 * All settings with secrets in clear, for domain use only (SSO, SMTP). A row
 * that no longer parses (an older shape) falls back to the section defaults
 * field by field rather than failing the request.
 */
export async function loadSettings(ctx: Pick<DomainContext, "db" | "keys">): Promise<SettingsValues> {
  const rows = await ctx.db
    .select()
    .from(settings)
    .where(inArray(settings.key, Object.values(ROW_KEY)))
    .all();
  const out = structuredClone(DEFAULT_SETTINGS) as Record<Section, unknown>;
  for (const section of SECTIONS) {
    const row = rows.find((r) => r.key === ROW_KEY[section]);
    if (!row) continue;
    const raw = unwrap(section, row.value);
    const def = DEFAULT_SETTINGS[section];
    const candidate =
      def !== null && typeof def === "object" && !Array.isArray(def) && raw && typeof raw === "object"
        ? { ...def, ...(raw as Record<string, unknown>) }
        : raw;
    const parsed = Settings.shape[section].safeParse(candidate);
    if (!parsed.success) continue;
    let value: unknown = parsed.data;
    const secretField = SECRET_FIELD[section];
    if (secretField) {
      const secret = row.secretEnc ? await decrypt(ctx.keys.data, row.secretEnc, aad(section)) : null;
      value = { ...(value as Record<string, unknown>), [secretField]: secret ?? "" };
    }
    out[section] = value;
  }
  return out as SettingsValues;
}

/** What an admin sees: every secret that is set reads `"********"`. */
export function maskSettings(s: SettingsValues): SettingsValues {
  return {
    ...s,
    oidc: { ...s.oidc, client_secret: s.oidc.client_secret ? MASKED : "" },
    smtp: { ...s.smtp, password: s.smtp.password ? MASKED : "" },
  };
}

function checkCidrs(field: string, list: readonly string[]): string[] {
  for (const c of list) if (!parseCidr(c)) throw new DomainError("common.validation", `${field}: invalid CIDR "${c}"`);
  return [...new Set(list)];
}

/** `scheme://host[:port]` with default ports stripped and the host lower-cased (origin comparison, RFC 6454 §6.1). */
export function canonicalOrigin(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  if (u.username || u.password || (u.pathname !== "/" && u.pathname !== "") || u.search || u.hash) return undefined;
  return u.origin;
}

/**
 * {@link canonicalOrigin} of a value written exactly as an origin (`scheme://host[:port]`, an optional
 * trailing `/`), as a browser sends it in `Origin` (RFC 6454 §7): nothing the URL parser would repair
 * (blanks, missing slashes, an empty `?` or `#`) passes.
 */
export function strictOrigin(value: string): string | undefined {
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(value)) return undefined;
  return canonicalOrigin(value);
}

function checkUrl(field: string, value: string, opts: { allowPath: boolean; allowEmpty: boolean }): string {
  if (value === "" && opts.allowEmpty) return value;
  if (opts.allowPath && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")) return value;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new DomainError("common.validation", `${field}: not a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new DomainError("common.validation", `${field}: must be an http(s) URL`);
  if (u.username || u.password) throw new DomainError("common.validation", `${field}: must not carry credentials`);
  return value;
}

/** Validates a merged section beyond its zod shape (cross-field rules, URLs, CIDRs). */
function validateSection<S extends Section>(
  section: S,
  value: SettingsValues[S],
  allowLoopback = false,
): SettingsValues[S] {
  switch (section) {
    case "oidc": {
      const v = value as SettingsValues["oidc"];
      checkUrl("oidc.discovery_url", v.discovery_url, { allowPath: false, allowEmpty: true });
      checkUrl("oidc.redirect_uri", v.redirect_uri, { allowPath: false, allowEmpty: true });
      if (v.enabled && (!v.discovery_url || !v.client_id))
        throw new DomainError(
          "common.validation",
          "oidc: discovery_url and client_id are required when SSO is enabled",
        );
      if (v.enabled && !v.scopes.split(/\s+/).includes("openid"))
        throw new DomainError("common.validation", "oidc.scopes must include openid");
      return value;
    }
    case "smtp": {
      const v = value as SettingsValues["smtp"];
      if (v.enabled && (!v.host || !v.from))
        throw new DomainError("common.validation", "smtp: host and from are required when SMTP is enabled");
      if (/[\r\n]/.test(v.host + v.username + v.from))
        throw new DomainError("common.validation", "smtp: fields must not contain line breaks");
      return value;
    }
    case "ip_whitelist":
      return checkCidrs("ip_whitelist", value as string[]) as SettingsValues[S];
    case "discovery_cidrs":
      return checkCidrs("discovery_cidrs", value as string[]) as SettingsValues[S];
    case "ctrl_exec": {
      const v = value as SettingsValues["ctrl_exec"];
      return {
        anonymous_actions: [...new Set(v.anonymous_actions)],
        anonymous_cidrs: checkCidrs("anonymous_cidrs", v.anonymous_cidrs),
      } as SettingsValues[S];
    }
    case "allowed_origins": {
      const out: string[] = [];
      for (const o of value as string[]) {
        const c = canonicalOrigin(o);
        if (!c)
          throw new DomainError("common.validation", `allowed_origins: "${o}" is not an origin (scheme://host[:port])`);
        if (!out.includes(c)) out.push(c);
      }
      return out as SettingsValues[S];
    }
    case "sso_callback_url":
      return checkUrl("sso_callback_url", value as string, { allowPath: true, allowEmpty: false }) as SettingsValues[S];
    case "osv": {
      const v = value as SettingsValues["osv"];
      if (v.base_url.startsWith("r2://")) {
        if (!/^r2:\/\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(v.base_url) || v.base_url.includes(".."))
          throw new DomainError("common.validation", "osv.base_url: r2://<prefix> with a plain key prefix");
      } else {
        checkUrl("osv.base_url", v.base_url, { allowPath: false, allowEmpty: false });
        let u: URL;
        try {
          u = new URL(v.base_url);
        } catch {
          throw new DomainError("common.validation", "osv.base_url: not a URL");
        }
        const refused = refuseTarget(u, { allowLoopback: false });
        if (refused && !(allowLoopback && isLoopbackHost(u.hostname)))
          throw new DomainError("common.validation", `osv.base_url: ${refused}`);
      }
      return { ...v, feeds: [...new Set(v.feeds)] } as SettingsValues[S];
    }
    case "notification": {
      const v = value as SettingsValues["notification"];
      if (/[\r\n]/.test(v.email_from))
        throw new DomainError("common.validation", "notification.email_from: line break");
      return { ...v, recipients: [...new Set(v.recipients)] } as SettingsValues[S];
    }
    default:
      return value;
  }
}

/**
 * Applies a partial update (admin). Each section given is merged field by
 * field over its current value; a secret equal to `"********"` keeps the
 * stored one, `""` clears it. All sections and one audit entry are written in
 * one batch; the audit entry names changed fields, never secret values.
 */
export async function putSettings(ctx: DomainContext, update: SettingsUpdate): Promise<SettingsValues> {
  const current = await loadSettings(ctx);
  const next = structuredClone(current) as Record<Section, unknown>;
  const changed: Record<string, string[] | true> = {};
  for (const section of SECTIONS) {
    const patch = update[section];
    if (patch === undefined) continue;
    const before = current[section];
    let merged: unknown;
    if (before !== null && typeof before === "object" && !Array.isArray(before)) {
      const p = { ...(patch as Record<string, unknown>) };
      const secretField = SECRET_FIELD[section];
      if (secretField && p[secretField] === MASKED) delete p[secretField];
      merged = { ...before, ...p };
      const fields = Object.keys(p).filter(
        (k) =>
          JSON.stringify((before as Record<string, unknown>)[k]) !==
          JSON.stringify((merged as Record<string, unknown>)[k]),
      );
      if (fields.length > 0) changed[section] = fields;
    } else {
      merged = patch;
      if (JSON.stringify(before) !== JSON.stringify(patch)) changed[section] = true;
    }
    next[section] = validateSection(section, merged as SettingsValues[typeof section], ctx.allowLoopbackIdp === true);
  }
  const result = next as SettingsValues;
  if (
    update.ip_whitelist !== undefined &&
    result.ip_whitelist.length > 0 &&
    !ipInCidrs(ctx.sourceIp, result.ip_whitelist)
  )
    throw new DomainError(
      "common.validation",
      `ip_whitelist does not include your own address (${ctx.sourceIp || "unknown"}); add it, or you would lock yourself out`,
    );
  if (update.sso_policy?.sso_only === true && !result.oidc.enabled)
    throw new DomainError("common.validation", "sso_policy.sso_only needs SSO enabled (oidc.enabled)");
  if (update.sso_policy?.mfa_required !== undefined && result.sso_policy.mfa_required !== "off" && ctx.actor) {
    // An admin without MFA would lock themselves out of password login.
    const own = await ctx.db.select({ verified: mfa.verified }).from(mfa).where(eq(mfa.identityId, ctx.actor.id)).get();
    if (own?.verified !== true)
      throw new DomainError("common.validation", "sso_policy.mfa_required: enroll MFA on your own account first");
  }
  const sections = Object.keys(changed) as Section[];
  if (sections.length === 0) return result;
  const now = ctx.now();
  const writes = [];
  for (const section of sections) {
    const secretField = SECRET_FIELD[section];
    let value: Record<string, unknown> = wrap(section, result[section]);
    let secretEnc: string | null = null;
    if (secretField) {
      const inner = { ...(result[section] as Record<string, unknown>) };
      const secret = String(inner[secretField] ?? "");
      delete inner[secretField];
      value = wrap(section, inner);
      const stored = await ctx.db
        .select({ secretEnc: settings.secretEnc })
        .from(settings)
        .where(eq(settings.key, ROW_KEY[section]))
        .get();
      const unchanged = secret === String((current[section] as Record<string, unknown>)[secretField] ?? "");
      // An unchanged secret keeps its ciphertext; a new one gets a fresh IV.
      secretEnc = unchanged
        ? (stored?.secretEnc ?? null)
        : secret
          ? await encrypt(ctx.keys.data, secret, aad(section))
          : null;
    }
    const row = { value, secretEnc, updatedBy: ctx.actor?.id ?? null, updatedAt: now };
    writes.push(
      ctx.db
        .insert(settings)
        .values({ key: ROW_KEY[section], ...row })
        .onConflictDoUpdate({ target: settings.key, set: row }),
    );
  }
  await commitAudited(ctx, writes, {
    action: "settings.update",
    targetType: "setting",
    targetId: sections.map((s) => ROW_KEY[s]).join(","),
    detail: { changed },
  });
  forgetCachedSettings();
  return result;
}

let cached: { at: number; value: Promise<SettingsValues> } | undefined;
const CACHE_MS = 5000;

/**
 * Settings read on every protected request (the IP allowlist), cached per
 * isolate for 5 s; a write in this isolate drops the cache at once, other
 * isolates see it within 5 s.
 */
export function cachedSettings(ctx: Pick<DomainContext, "db" | "keys" | "now">): Promise<SettingsValues> {
  const now = ctx.now();
  if (!cached || now - cached.at > CACHE_MS) {
    const value = loadSettings(ctx);
    cached = { at: now, value };
    value.catch(() => {
      if (cached?.value === value) cached = undefined;
    });
  }
  return cached.value;
}

/** Drops the per-isolate settings cache (after a write; in tests). */
export function forgetCachedSettings(): void {
  cached = undefined;
}
