import { useSyncExternalStore } from "react";
import { type SessionState, type SessionUser, session } from "./session";

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.get);
}

/** The signed-in user (only used under the authenticated layout). */
export function useUser(): SessionUser {
  const s = useSession();
  if (s.status !== "signed-in") throw new Error("useUser outside a signed-in layout");
  return s.user;
}

/** Roles shape what is shown; the API enforces them regardless. */
export function canWrite(user: SessionUser): boolean {
  return user.role === "admin" || user.role === "operator";
}
export function isAdmin(user: SessionUser): boolean {
  return user.role === "admin";
}
