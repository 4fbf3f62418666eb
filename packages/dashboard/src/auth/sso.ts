import { api, ok } from "../api/client";
import { type SessionUser, session } from "./session";

/** Where to go after an SSO sign-in (kept for this tab while the browser visits the identity provider). */
const NEXT_KEY = "fleetgate-sso-next";

/** Remembers where the user wanted to go, then leaves for the provider through the API's login redirect. */
export function startSso(authUrl: string, next: string | undefined): void {
  try {
    if (next?.startsWith("/")) sessionStorage.setItem(NEXT_KEY, next);
    else sessionStorage.removeItem(NEXT_KEY);
  } catch {
    // Storage disabled: the user lands on the overview instead.
  }
  window.location.assign(authUrl);
}

/** The page to open after the SSO sign-in (a dashboard path), once. */
export function takeSsoNext(): string {
  try {
    const next = sessionStorage.getItem(NEXT_KEY);
    sessionStorage.removeItem(NEXT_KEY);
    return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
  } catch {
    return "/";
  }
}

const exchanges = new Map<string, Promise<SessionUser>>();

/**
 * Redeems a handoff code (POST /auth/sso/handoff) for a session: the refresh token arrives in the
 * HttpOnly cookie, the access token is kept in memory. The code is single-use, so a repeated call
 * for the same code (a re-render, React's strict mode) shares the first exchange instead of
 * spending a second request that must fail.
 */
export function redeemHandoff(code: string): Promise<SessionUser> {
  let p = exchanges.get(code);
  if (!p) {
    p = ok(api.POST("/auth/sso/handoff", { body: { handoff_code: code } })).then((body) => session.signedIn(body));
    exchanges.set(code, p);
  }
  return p;
}
