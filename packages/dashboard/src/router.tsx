import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { session } from "./auth/session";
import {
  AuditSearch,
  CertificatesSearch,
  ComplianceSearch,
  DeviceSearch,
  ExportsSearch,
  HostsSearch,
  JobsSearch,
  OverviewSearch,
  PatchingSearch,
  SignInSearch,
  SsoCallbackSearch,
} from "./lib/search";
import { AppShell } from "./shell/app-shell";

/**
 * Routes. Pages are loaded on demand (one chunk each) and read their typed search params
 * and path params through the route objects exported here.
 */

/** Resolves the session once per page load: the refresh cookie, if any, yields an access token. */
let restoring: Promise<unknown> | undefined;
function restore(): Promise<unknown> {
  if (session.get().status !== "unknown") return Promise.resolve();
  restoring ??= session.refresh();
  return restoring;
}

const root = createRootRoute({ component: Outlet });

export const signInRoute = createRoute({
  getParentRoute: () => root,
  path: "/sign-in",
  validateSearch: SignInSearch,
  beforeLoad: async () => {
    await restore();
    if (session.get().status === "signed-in") throw redirect({ to: "/" });
  },
  component: lazyRouteComponent(() => import("./pages/sign-in.page"), "SignInPage"),
});

/** The SSO callback (`sso_callback_url`): public, it turns a handoff code into a session. */
export const ssoCallbackRoute = createRoute({
  getParentRoute: () => root,
  path: "/auth/sso/callback",
  validateSearch: SsoCallbackSearch,
  component: lazyRouteComponent(() => import("./pages/sso-callback.page"), "SsoCallbackPage"),
});

const authed = createRoute({
  getParentRoute: () => root,
  id: "authed",
  beforeLoad: async ({ location }) => {
    await restore();
    if (session.get().status !== "signed-in") {
      throw redirect({ to: "/sign-in", search: { redirect: location.href.replace(/^\/app/, "") } });
    }
  },
  component: AppShell,
});

export const overviewRoute = createRoute({
  getParentRoute: () => authed,
  path: "/",
  validateSearch: OverviewSearch,
  component: lazyRouteComponent(() => import("./pages/overview.page"), "OverviewPage"),
});
export const hostsRoute = createRoute({
  getParentRoute: () => authed,
  path: "/hosts",
  validateSearch: HostsSearch,
  component: lazyRouteComponent(() => import("./pages/hosts.page"), "HostsPage"),
});
export const hostRoute = createRoute({
  getParentRoute: () => authed,
  path: "/hosts/$hostId",
  component: lazyRouteComponent(() => import("./pages/host-detail.page"), "HostDetailPage"),
});
export const enrollmentsRoute = createRoute({
  getParentRoute: () => authed,
  path: "/enrollments",
  component: lazyRouteComponent(() => import("./pages/enrollments.page"), "EnrollmentsPage"),
});
export const jobsRoute = createRoute({
  getParentRoute: () => authed,
  path: "/jobs",
  validateSearch: JobsSearch,
  component: lazyRouteComponent(() => import("./pages/jobs.page"), "JobsPage"),
});
export const jobRoute = createRoute({
  getParentRoute: () => authed,
  path: "/jobs/$jobId",
  component: lazyRouteComponent(() => import("./pages/job-live.page"), "JobLivePage"),
});
export const exportsRoute = createRoute({
  getParentRoute: () => authed,
  path: "/exports",
  validateSearch: ExportsSearch,
  component: lazyRouteComponent(() => import("./pages/exports.page"), "ExportsPage"),
});
export const auditRoute = createRoute({
  getParentRoute: () => authed,
  path: "/audit",
  validateSearch: AuditSearch,
  component: lazyRouteComponent(() => import("./pages/audit.page"), "AuditPage"),
});
export const certificatesRoute = createRoute({
  getParentRoute: () => authed,
  path: "/certificates",
  validateSearch: CertificatesSearch,
  component: lazyRouteComponent(() => import("./pages/certificates.page"), "CertificatesPage"),
});
/** Approves a command-line client's device login (the CLI prints this page's URL). */
export const deviceRoute = createRoute({
  getParentRoute: () => authed,
  path: "/device",
  validateSearch: DeviceSearch,
  component: lazyRouteComponent(() => import("./pages/device.page"), "DevicePage"),
});
export const patchingRoute = createRoute({
  getParentRoute: () => authed,
  path: "/patching",
  validateSearch: PatchingSearch,
  component: lazyRouteComponent(() => import("./pages/patching.page"), "PatchingPage"),
});
export const complianceRoute = createRoute({
  getParentRoute: () => authed,
  path: "/compliance",
  validateSearch: ComplianceSearch,
  component: lazyRouteComponent(() => import("./pages/compliance.page"), "CompliancePage"),
});
const simple = {
  users: createRoute({
    getParentRoute: () => authed,
    path: "/users",
    component: lazyRouteComponent(() => import("./pages/users.page"), "UsersPage"),
  }),
  groups: createRoute({
    getParentRoute: () => authed,
    path: "/groups",
    component: lazyRouteComponent(() => import("./pages/groups.page"), "GroupsPage"),
  }),
  tokens: createRoute({
    getParentRoute: () => authed,
    path: "/tokens",
    component: lazyRouteComponent(() => import("./pages/tokens.page"), "TokensPage"),
  }),
  issuers: createRoute({
    getParentRoute: () => authed,
    path: "/token-issuers",
    component: lazyRouteComponent(() => import("./pages/token-issuers.page"), "TokenIssuersPage"),
  }),
  settings: createRoute({
    getParentRoute: () => authed,
    path: "/settings",
    component: lazyRouteComponent(() => import("./pages/settings.page"), "SettingsPage"),
  }),
  profile: createRoute({
    getParentRoute: () => authed,
    path: "/profile",
    component: lazyRouteComponent(() => import("./pages/profile.page"), "ProfilePage"),
  }),
  maintenance: createRoute({
    getParentRoute: () => authed,
    path: "/maintenance",
    component: lazyRouteComponent(() => import("./pages/maintenance.page"), "MaintenancePage"),
  }),
  checks: createRoute({
    getParentRoute: () => authed,
    path: "/health-checks",
    component: lazyRouteComponent(() => import("./pages/health-checks.page"), "HealthChecksPage"),
  }),
};

const routeTree = root.addChildren([
  signInRoute,
  ssoCallbackRoute,
  authed.addChildren([
    overviewRoute,
    hostsRoute,
    hostRoute,
    enrollmentsRoute,
    jobsRoute,
    jobRoute,
    exportsRoute,
    auditRoute,
    certificatesRoute,
    deviceRoute,
    patchingRoute,
    complianceRoute,
    ...Object.values(simple),
  ]),
]);

/** The dashboard lives under /app (the control plane owns the other root paths). */
export const router = createRouter({ routeTree, basepath: "/app", defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
