import type { Role } from "@fleetgate/domain";

/**
 * Every protected route declares one permission. `self`: any signed-in
 * principal acting on itself; `read`: any role; `write`: admin or operator
 * (Linux Patch Manager `can_write`); `admin`: admins only.
 */
export type Permission = "self" | "read" | "write" | "admin";

export const ROLE_GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(["self", "read", "write", "admin"]),
  operator: new Set(["self", "read", "write"]),
  reporter: new Set(["self", "read"]),
};

export const allows = (role: Role, p: Permission) => ROLE_GRANTS[role].has(p);

/** The native route table as declared (method, OpenAPI path, permission) — walked by the RBAC test. */
export const declaredRoutes: { method: string; path: string; permission: Permission }[] = [];
