import { z } from "@hono/zod-openapi";
import { Role } from "./common";

/**
 * Admin settings (linux-patch-manager.md §4 "Settings"), plus Fleetgate's
 * `allowed_origins`, `sso_policy`, `discovery_cidrs`, `ctrl_exec`, `compliance` and `osv`.
 * Secret fields are never returned: they read as `"********"` when set, and a
 * PUT carrying `"********"` keeps the stored value.
 */
export const MASKED = "********";

const Text = (max = 512) => z.string().max(max);
const Secret = z
  .string()
  .max(4096)
  .openapi({ description: `write-only; reads as "${MASKED}" when set` });
const Cidrs = z.array(z.string().max(64)).max(256);

export const OidcSettings = z
  .object({
    enabled: z.boolean(),
    provider_type: z.enum(["keycloak", "azure", "custom"]),
    display_name: Text(100),
    discovery_url: Text(2048).openapi({
      description: "https URL of /.well-known/openid-configuration (or the issuer)",
    }),
    client_id: Text(256),
    client_secret: Secret,
    redirect_uri: Text(2048).openapi({ description: "this deployment's /api/v1/auth/sso/callback" }),
    scopes: Text(512),
  })
  .openapi("OidcSettings");

export const SmtpSettings = z
  .object({
    enabled: z.boolean(),
    host: Text(253),
    port: z.number().int().min(1).max(65535),
    username: Text(256),
    password: Secret,
    from: Text(320),
    tls_mode: z.enum(["starttls", "implicit", "none"]),
  })
  .openapi("SmtpSettings");

export const PollingSettings = z
  .object({
    health_poll_interval_secs: z.number().int().min(30).max(86_400),
    patch_poll_interval_secs: z.number().int().min(60).max(604_800),
  })
  .openapi("PollingSettings");

export const NotificationSettings = z
  .object({
    email_enabled: z.boolean(),
    email_from: Text(320),
    recipients: z.array(z.email().max(320)).max(100),
  })
  .openapi("NotificationSettings");

export const SsoPolicy = z
  .object({
    sso_only: z.boolean().openapi({
      description: "non-admins must sign in through SSO; local admins keep their password login (break-glass)",
    }),
    mfa_required: z.enum(["off", "admins", "everyone"]).openapi({
      description: "local (password) logins of these users must present a TOTP code",
    }),
    created_role: Role.openapi({ description: "role of users created on their first SSO login" }),
    groups_claim: Text(128).openapi({ description: "ID-token claim listing group names; empty = no group sync" }),
  })
  .openapi("SsoPolicy");

export const ComplianceSettings = z
  .object({
    grace_period_days: z.number().int().min(0).max(365).openapi({
      description:
        "a host is non-compliant once a pending security update was first seen more than this many days ago (0 = at once)",
    }),
  })
  .openapi("ComplianceSettings");

export const OSV_FEED_NAMES = ["Debian", "Ubuntu", "Red Hat", "Rocky Linux", "AlmaLinux"] as const;

export const OsvSettings = z
  .object({
    enabled: z.boolean().openapi({ description: "import OSV vulnerability data by cron" }),
    base_url: Text(2048).openapi({
      description:
        "https base URL laid out as OSV's bucket (<base>/<feed>/all.zip), or r2://<prefix> for archives uploaded to the EXPORTS bucket at <prefix>/<feed>/all.zip",
    }),
    feeds: z.array(z.enum(OSV_FEED_NAMES)).max(OSV_FEED_NAMES.length),
    refresh_hours: z.number().int().min(1).max(720),
  })
  .openapi("OsvSettings");

export const CtrlExecSettingsSection = z.object({
  anonymous_actions: z.array(z.enum(["discovery", "status", "ping"])),
  anonymous_cidrs: z.array(z.string()),
});

export const Settings = z
  .object({
    oidc: OidcSettings,
    smtp: SmtpSettings,
    polling: PollingSettings,
    ip_whitelist: Cidrs,
    web_tls_strategy: Text(64),
    notification: NotificationSettings,
    sso_callback_url: Text(2048),
    allowed_origins: z.array(z.string().max(2048)).max(64),
    sso_policy: SsoPolicy,
    discovery_cidrs: Cidrs,
    ctrl_exec: CtrlExecSettingsSection,
    compliance: ComplianceSettings,
    osv: OsvSettings,
  })
  .openapi("Settings");
export type Settings = z.infer<typeof Settings>;

/** PUT /settings: any subset of sections, each with any subset of its fields. */
export const SettingsUpdate = z
  .object({
    oidc: OidcSettings.partial().strict().optional(),
    smtp: SmtpSettings.partial().strict().optional(),
    polling: PollingSettings.partial().strict().optional(),
    ip_whitelist: Cidrs.optional(),
    web_tls_strategy: Text(64).min(1).optional(),
    notification: NotificationSettings.partial().strict().optional(),
    sso_callback_url: Text(2048).optional(),
    allowed_origins: z.array(z.string().max(2048)).max(64).optional(),
    sso_policy: SsoPolicy.partial().strict().optional(),
    discovery_cidrs: Cidrs.optional(),
    ctrl_exec: CtrlExecSettingsSection.partial().strict().optional(),
    compliance: ComplianceSettings.partial().strict().optional(),
    osv: OsvSettings.partial().strict().optional(),
  })
  .strict()
  .openapi("SettingsUpdate");
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

export const IpWhitelist = z.object({ entries: Cidrs }).openapi("IpWhitelist");

export const TestResult = z.object({ success: z.boolean(), message: z.string() }).openapi("SettingsTestResult");

export const SsoDiscoverRequest = z
  .object({ discovery_url: Text(2048).optional() })
  .openapi("SsoDiscoverRequest", { description: "defaults to the saved oidc.discovery_url" });

export const SsoDiscoverResult = z
  .object({
    success: z.boolean(),
    issuer: z.string(),
    authorization_endpoint: z.string(),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    userinfo_endpoint: z.string().optional(),
    message: z.string().optional(),
  })
  .openapi("SsoDiscoverResult");

export const SmtpTestRequest = z
  .object({ to: z.email().max(320).optional() })
  .openapi("SmtpTestRequest", { description: "recipient; defaults to the first notification recipient" });
