import { createRouter } from "../../lib/router";
import { auditRouter, integrityRouter } from "./audit/audit.index";
import { signingKeysRouter } from "./audit/signing-keys.index";
import { auditCheckpointsRouter } from "./audit-checkpoints/audit-checkpoints.index";
import { authRouter } from "./auth/auth.index";
import { certificatesRouter, hostCertificatesRouter, publicPkiRouter } from "./certificates/certificates.index";
import { deviceAuthRouter } from "./device-auth/device-auth.index";
import { discoveryRouter } from "./discovery/discovery.index";
import { approvalRouter, enrollmentsRouter, selfEnrollRouter } from "./enrollments/enrollments.index";
import { groupsRouter } from "./groups/groups.index";
import { checksRouter, hostChecksRouter } from "./health-checks/health-checks.index";
import { hostInventoryRouter } from "./host-inventory/host-inventory.index";
import { hostRegistrationRouter } from "./host-registration/host-registration.index";
import { hostTagsRouter } from "./host-tags/host-tags.index";
import { hostsRouter } from "./hosts/hosts.index";
import { jobsRouter } from "./jobs/jobs.index";
import { hostWindowsRouter, windowsRouter } from "./maintenance-windows/maintenance-windows.index";
import { mountNativeDocs } from "./openapi/openapi.index";
import { repoAdminRouter, repoConfigRouter } from "./package-repo/package-repo.index";
import { caHealthRouter, reportsRouter, statusRouter } from "./reports/reports.index";
import { ctrlExecSettingsRouter } from "./settings/ctrl-exec.index";
import { settingsRouter } from "./settings/settings.index";
import { azureSsoRouter, ssoRouter } from "./sso/sso.index";
import { exportsRouter, tasksRouter } from "./tasks/tasks.index";
import { tokenIssuersRouter } from "./token-issuers/token-issuers.index";
import { serviceAccountsRouter, tokensRouter } from "./tokens/tokens.index";
import { upgradesRouter } from "./upgrades/upgrades.index";
import { usersRouter } from "./users/users.index";
import { vulnerabilitiesRouter } from "./vulnerabilities/vulnerabilities.index";
import { wsRouter } from "./ws/ws.index";
import { zitiManagementRouter } from "./ziti/ziti.index";
import { zitiCasRouter } from "./ziti-cas/ziti-cas.index";

/** The native face, mounted at /api/v1. Resource routers are chained here. */
export const v1 = createRouter();
v1.route("/auth/sso", ssoRouter)
  .route("/auth/device", deviceAuthRouter)
  .route("/sso", ssoRouter)
  .route("/auth/azure", azureSsoRouter)
  .route("/auth", authRouter)
  .route("/users", usersRouter)
  .route("/groups", groupsRouter)
  .route("/tokens", tokensRouter)
  .route("/service-accounts", serviceAccountsRouter)
  .route("/tasks", tasksRouter)
  .route("/exports", exportsRouter)
  .route("/token-issuers", tokenIssuersRouter)
  .route("/audit", auditCheckpointsRouter)
  .route("/audit", auditRouter)
  .route("/settings", integrityRouter)
  .route("/settings", signingKeysRouter)
  .route("/enrollments", enrollmentsRouter)
  .route("/admin/enrollments", approvalRouter)
  .route("/certificates", certificatesRouter)
  .route("/hosts", hostCertificatesRouter)
  .route("/", selfEnrollRouter)
  .route("/", publicPkiRouter)
  .route("/hosts", hostRegistrationRouter)
  .route("/hosts", hostsRouter)
  .route("/hosts", hostTagsRouter)
  .route("/discovery", discoveryRouter)
  .route("/upgrades", upgradesRouter)
  .route("/admin/repo", repoAdminRouter)
  .route("/", repoConfigRouter)
  .route("/jobs", jobsRouter)
  .route("/settings", ctrlExecSettingsRouter)
  .route("/settings", settingsRouter)
  .route("/ws", wsRouter)
  .route("/hosts", hostWindowsRouter)
  .route("/maintenance-windows", windowsRouter)
  .route("/hosts", hostChecksRouter)
  .route("/health-checks", checksRouter)
  .route("/hosts", hostInventoryRouter)
  .route("/ziti", zitiManagementRouter)
  .route("/ziti", zitiCasRouter)
  .route("/status", statusRouter)
  .route("/ca", caHealthRouter)
  .route("/reports", reportsRouter)
  .route("/vulnerabilities", vulnerabilitiesRouter);
mountNativeDocs(v1);
