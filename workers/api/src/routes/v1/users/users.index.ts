import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./users.handlers";
import * as r from "./users.routes";

/** Mounted at /users: accounts, the caller's own profile and password, and admin resets. */
export const usersRouter = routerOf(
  op(r.listUsers, h.listUsers),
  op(r.createUser, h.createUser),
  op(r.me, h.me),
  op(r.changeOwnPassword, h.changeOwnPassword),
  op(r.getUser, h.getUser),
  op(r.updateUser, h.updateUser),
  op(r.deleteUser, h.deleteUser),
  op(r.resetPassword, h.resetPassword),
  op(r.revoke, h.revoke),
  op(r.resetMfa, h.resetMfa),
);
