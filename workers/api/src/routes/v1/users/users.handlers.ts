import { iso, isoOrNull } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import type * as r from "./users.routes";

/** The native User shape (linux-patch-manager.md §4). */
export function userBody(u: svc.UserView) {
  return {
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    email: u.email,
    role: u.role,
    auth_provider: u.authProvider,
    mfa_enabled: u.mfaEnabled,
    is_active: u.isActive,
    force_password_reset: u.forcePasswordReset,
    last_login_at: isoOrNull(u.lastLoginAt),
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
  };
}

export const listUsers: RouteHandler<typeof r.listUsers, AppEnv> = async (c) =>
  c.json((await svc.listUsers(await domain(c))).map(userBody), 200);

export const createUser: RouteHandler<typeof r.createUser, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const id = await svc.createUser(await domain(c), {
    username: b.username,
    displayName: b.display_name,
    email: b.email,
    role: b.role,
    password: b.password,
  });
  return c.json({ id, message: "User created" }, 200);
};

export const me: RouteHandler<typeof r.me, AppEnv> = async (c) =>
  c.json(userBody(await svc.ownUserView(await domain(c), currentIdentity(c))), 200);

export const changeOwnPassword: RouteHandler<typeof r.changeOwnPassword, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  await svc.changeOwnPassword(await domain(c), currentIdentity(c), b.current_password, b.new_password);
  return c.json({ message: "Password changed successfully" }, 200);
};

export const getUser: RouteHandler<typeof r.getUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const me = currentIdentity(c);
  if (me.id !== id && me.role !== "admin") throw new ApiError(403, "forbidden", "Access denied");
  return c.json(userBody(await svc.getUser(await domain(c), id)), 200);
};

export const updateUser: RouteHandler<typeof r.updateUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const b = c.req.valid("json");
  const me = currentIdentity(c);
  const privileged = b.role !== undefined || b.is_active !== undefined || b.force_password_reset !== undefined;
  if (me.role !== "admin" && (me.id !== id || privileged)) {
    throw new ApiError(403, "forbidden_role", "Admin role required to modify this resource");
  }
  await svc.updateUser(await domain(c), id, {
    displayName: b.display_name,
    email: b.email,
    role: b.role,
    isActive: b.is_active,
    forcePasswordReset: b.force_password_reset,
  });
  return c.json({ message: "User updated" }, 200);
};

export const deleteUser: RouteHandler<typeof r.deleteUser, AppEnv> = async (c) => {
  await svc.deleteUser(await domain(c), c.req.valid("param").id);
  return c.json({ message: "User deleted" }, 200);
};

export const resetPassword: RouteHandler<typeof r.resetPassword, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const { id } = c.req.valid("param");
  const b = c.req.valid("json");
  const target = await svc.findIdentity(ctx, id);
  if (target?.kind !== "user") throw new ApiError(404, "not_found", "User not found");
  await svc.setPassword(ctx, target, b.new_password, {
    forcePasswordReset: b.force_password_reset ?? false,
    action: "user.password_reset",
  });
  return c.json({ message: "Password reset successfully" }, 200);
};

export const revoke: RouteHandler<typeof r.revoke, AppEnv> = async (c) => {
  const count = await svc.revokeSessions(await domain(c), c.req.valid("param").id);
  return c.json({ message: "Sessions revoked", count }, 200);
};

export const resetMfa: RouteHandler<typeof r.resetMfa, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const { id } = c.req.valid("param");
  await svc.getUser(ctx, id);
  await svc.disableMfa(ctx, id, { endSessions: true });
  return c.json({ message: "MFA disabled successfully" }, 200);
};
