import { z } from "zod";

/**
 * The browser session. The access token lives only in memory; the refresh token lives in
 * the HttpOnly `__Host-fg_refresh` cookie the server sets, so script never sees it.
 * Refreshes are serialised across tabs with the Web Locks API, and a tab that refreshed
 * shares the new access token over a BroadcastChannel: two tabs never present the same
 * refresh token, so the server's reuse detection only ever fires on a real replay.
 */

export const SessionUser = z.object({
  id: z.string(),
  username: z.string(),
  display_name: z.string().nullable().optional(),
  role: z.enum(["admin", "operator", "reporter"]),
  mfa_enabled: z.boolean(),
});
export type SessionUser = z.infer<typeof SessionUser>;

const TokenResponse = z.object({ access_token: z.string(), expires_in: z.number(), user: SessionUser });
const Broadcast = z.discriminatedUnion("type", [
  z.object({ type: z.literal("token"), access_token: z.string(), expires_in: z.number(), user: SessionUser }),
  z.object({ type: z.literal("logout") }),
]);

export type SessionState =
  | { status: "unknown" }
  | { status: "signed-out"; reason?: string }
  | { status: "signed-in"; user: SessionUser };

const LOCK = "fleetgate-refresh";
const AUTH = "/api/v1/auth";

let state: SessionState = { status: "unknown" };
let accessToken: string | undefined;
let expiresAt = 0;
/** Bumped whenever a token arrives from anywhere, so a waiting refresh can tell it is no longer needed. */
let generation = 0;
/** The refresh under way in this tab, shared by every caller that needs one meanwhile. */
let refreshing: Promise<boolean> | undefined;
/** Signing out: the access token is dropped and nothing is sent until the server has ended the session. */
let ending = false;
const listeners = new Set<() => void>();
const channel = typeof BroadcastChannel === "undefined" ? undefined : new BroadcastChannel("fleetgate-session");

function set(next: SessionState): void {
  state = next;
  for (const l of listeners) l();
}

function accept(body: z.infer<typeof TokenResponse>): void {
  accessToken = body.access_token;
  expiresAt = Date.now() + body.expires_in * 1000;
  generation++;
  const prev = state.status === "signed-in" ? state.user : undefined;
  set({ status: "signed-in", user: prev && JSON.stringify(prev) === JSON.stringify(body.user) ? prev : body.user });
}

function clear(reason?: string): void {
  accessToken = undefined;
  expiresAt = 0;
  generation++;
  set(reason === undefined ? { status: "signed-out" } : { status: "signed-out", reason });
}

channel?.addEventListener("message", (e: MessageEvent) => {
  const msg = Broadcast.safeParse(e.data);
  if (!msg.success) return;
  if (msg.data.type === "logout") clear();
  else accept(msg.data);
});

export const session = {
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  get(): SessionState {
    return state;
  },
  /** The current access token, or undefined when signed out. */
  token(): string | undefined {
    return accessToken;
  },
  /** True when the token expires within 30 s (refresh before sending). */
  stale(): boolean {
    return accessToken === undefined || Date.now() > expiresAt - 30_000;
  },
  /** Stores the tokens of a successful sign-in and tells the other tabs. */
  signedIn(body: unknown): SessionUser {
    const parsed = TokenResponse.parse(body);
    accept(parsed);
    channel?.postMessage({ type: "token", ...parsed });
    return parsed.user;
  },
  /** True when the server's `__Host-fg_session` flag says a refresh cookie is there. */
  hasCookie(): boolean {
    return typeof document !== "undefined" && /(?:^|;\s*)__Host-fg_session=1(?:;|$)/.test(document.cookie);
  },
  /**
   * Rotates the refresh cookie for a new access token, one tab at a time. Returns false
   * (and signs out) when the server no longer accepts the cookie.
   */
  async refresh(): Promise<boolean> {
    const seen = generation;
    const run = async (): Promise<boolean> => {
      if (ending) return false;
      // Another tab (or an earlier call here) got a token while we waited for the lock.
      if (generation !== seen && accessToken !== undefined) return true;
      if (!session.hasCookie()) {
        clear(state.status === "signed-in" ? "Your session ended. Sign in again." : undefined);
        return false;
      }
      let res: Response;
      try {
        res = await fetch(`${AUTH}/refresh`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: "{}",
        });
      } catch {
        return false;
      }
      if (!res.ok) {
        clear(state.status === "signed-in" ? "Your session ended. Sign in again." : undefined);
        return false;
      }
      const body = TokenResponse.parse(await res.json());
      accept(body);
      channel?.postMessage({ type: "token", ...body });
      return true;
    };
    // One refresh at a time in this tab (callers share it), and across tabs through the Web Lock.
    const locked = async (): Promise<boolean> =>
      typeof navigator !== "undefined" && navigator.locks ? await navigator.locks.request(LOCK, run) : run();
    const shared =
      refreshing ??
      locked().finally(() => {
        refreshing = undefined;
      });
    refreshing = shared;
    return shared;
  },
  /** True while signing out: requests are answered here (401) and no refresh is tried. */
  ending(): boolean {
    return ending;
  },
  /**
   * Revokes the refresh family on the server (the cookie), then forgets the session in every tab.
   * The access token is dropped first, so no request goes out with a token the server already refuses.
   */
  async logout(): Promise<void> {
    ending = true;
    accessToken = undefined;
    expiresAt = 0;
    try {
      await fetch(`${AUTH}/logout`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
    } finally {
      ending = false;
      clear();
      channel?.postMessage({ type: "logout" });
    }
  },
};
