import { z } from "zod";

/** URL search params of each list page (typed; junk values fall back to defaults, never throw). */
const opt = <T extends z.ZodType>(t: T) => t.optional().catch(undefined);
const offset = z.coerce.number().int().min(0).catch(0).default(0);

export const HostsSearch = z.object({
  search: opt(z.string().max(200)),
  health_status: opt(z.enum(["pending", "healthy", "degraded", "unreachable"])),
  patches_missing: opt(z.enum(["missing", "uptodate"])),
  os_family: opt(z.string().max(100)),
  group_id: opt(z.string().uuid()),
  sort_by: opt(
    z.enum(["fqdn", "display_name", "ip_address", "os", "health_status", "agent_version", "patches_missing"]),
  ),
  order: opt(z.enum(["asc", "desc"])),
  offset,
});
export type HostsSearch = z.infer<typeof HostsSearch>;

export const JobsSearch = z.object({ offset });
export const AuditSearch = z.object({
  actor: opt(z.string().max(200)),
  action: opt(z.string().max(200)),
  target: opt(z.string().max(200)),
  from: opt(z.string().max(40)),
  to: opt(z.string().max(40)),
});
export const CertificatesSearch = z.object({ status: opt(z.enum(["active", "revoked", "expired"])) });
export const ExportsSearch = z.object({ offset });
export const SignInSearch = z.object({ redirect: opt(z.string().max(500)), reason: opt(z.string().max(200)) });
/** What the SSO callback brings back (`sso_callback_url?handoff=…` or `?error=…&error_description=…`). */
export const SsoCallbackSearch = z.object({
  handoff: opt(z.string().max(200)),
  error: opt(z.string().max(200)),
  error_description: opt(z.string().max(1000)),
});
/** The CLI device login page (`verification_uri_complete` = `/app/device?user_code=…`). */
export const DeviceSearch = z.object({ user_code: opt(z.string().max(64)) });
/** Patch deployment: hosts with pending updates (or all hosts), searched and paged in the URL. */
export const PatchingSearch = z.object({
  search: opt(z.string().max(200)),
  scope: z.enum(["missing", "all"]).catch("missing").default("missing"),
  offset,
});
/** Compliance: one group or the whole fleet, and the history period in days. */
/** The overview's compliance history and histograms: the whole fleet (admins) or one group. */
export const OverviewSearch = z.object({ group_id: opt(z.string().uuid()) });

export const ComplianceSearch = z.object({
  group_id: opt(z.string().uuid()),
  days: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(30), z.literal(90), z.literal(365)]))
    .catch(30)
    .default(30),
});
