import type { SessionUser } from "../auth/session";

export type NavItem = { to: string; label: string; group: string; keys?: string; minRole?: "operator" | "admin" };

/** The sidebar, the command palette and the `g x` shortcuts share this list. */
export const NAV: NavItem[] = [
  { to: "/", label: "Overview", group: "Fleet", keys: "g o" },
  { to: "/hosts", label: "Hosts", group: "Fleet", keys: "g h" },
  { to: "/enrollments", label: "Enrollment", group: "Fleet", keys: "g e", minRole: "operator" },
  { to: "/certificates", label: "Certificates", group: "Fleet", keys: "g c" },
  { to: "/jobs", label: "Jobs", group: "Operations", keys: "g j" },
  { to: "/patching", label: "Patch deployment", group: "Operations", minRole: "operator" },
  { to: "/maintenance", label: "Maintenance", group: "Operations" },
  { to: "/health-checks", label: "Health checks", group: "Operations" },
  { to: "/compliance", label: "Compliance", group: "Reports" },
  { to: "/exports", label: "Reports & exports", group: "Reports", keys: "g r" },
  { to: "/audit", label: "Audit", group: "Reports", keys: "g a" },
  { to: "/users", label: "Users", group: "Administration", minRole: "admin" },
  { to: "/groups", label: "Groups", group: "Administration" },
  { to: "/tokens", label: "API tokens", group: "Administration" },
  { to: "/token-issuers", label: "CI token issuers", group: "Administration", minRole: "admin" },
  { to: "/settings", label: "Settings", group: "Administration", minRole: "admin" },
  { to: "/profile", label: "Profile", group: "Account", keys: "g p" },
];

const rank = { reporter: 0, operator: 1, admin: 2 } as const;

export function visibleNav(user: SessionUser): NavItem[] {
  return NAV.filter((n) => n.minRole === undefined || rank[user.role] >= rank[n.minRole]);
}
