import { AuthenticationError } from "./errors";

/** A signed-in session: a short-lived access JWT and its single-use, rotating refresh token. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Access token expiry, epoch milliseconds. */
  expiresAt: number;
}

/** What the client authenticates with. */
export type Credentials =
  /** An API token (`ztlu_…` / `ztls_…`, sent as `Token …`) or a bare access JWT (sent as `Bearer …`). */
  { kind: "token"; token: string } | ({ kind: "session" } & Session);

/** Exchanges a refresh token for a new session (POST /auth/refresh); supplied by the client. */
export type Refresher = (refreshToken: string) => Promise<Session>;

/** Refresh this long before the access token expires, so a request never leaves with a token about to die. */
const EARLY_REFRESH_MS = 30_000;

/** The `Authorization` value for a token: API tokens use the `Token` keyword, JWTs `Bearer`. */
export function authorizationFor(token: string): string {
  return /^ztl[us]_/.test(token) ? `Token ${token}` : `Bearer ${token}`;
}

/**
 * Holds the credentials and refreshes a session at most once at a time: the server rotates refresh
 * tokens and treats a reused one as theft (it ends the whole family), so two concurrent refreshes with
 * the same token would sign the user out. Every caller waiting for a refresh shares one promise.
 */
export class AuthState {
  private refreshing: Promise<Session> | undefined;

  constructor(
    private credentials: Credentials | undefined,
    private readonly refresher: Refresher,
    private readonly onSessionChange?: (session: Session | null) => void | Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current credentials (after any refresh). */
  get current(): Credentials | undefined {
    return this.credentials;
  }

  /** Replaces the credentials (login, logout). */
  set(credentials: Credentials | undefined): void {
    this.credentials = credentials;
    this.refreshing = undefined;
  }

  /** The `Authorization` header for the next request, refreshing a session that is about to expire. */
  async header(): Promise<string | undefined> {
    const c = this.credentials;
    if (!c) return undefined;
    if (c.kind === "token") return authorizationFor(c.token);
    if (c.expiresAt - this.now() <= EARLY_REFRESH_MS) {
      const s = await this.refresh(c.accessToken);
      return `Bearer ${s.accessToken}`;
    }
    return `Bearer ${c.accessToken}`;
  }

  /** Whether a 401 on a request sent with `sentAuthorization` is worth one retry after a refresh. */
  canRefresh(sentAuthorization: string | undefined): boolean {
    const c = this.credentials;
    return c?.kind === "session" && sentAuthorization !== undefined;
  }

  /**
   * Refreshes the session unless another caller already replaced `staleAccessToken`; concurrent
   * callers share one refresh. A refused refresh clears the session and throws AuthenticationError.
   */
  async refresh(staleAccessToken: string): Promise<Session> {
    const c = this.credentials;
    if (c?.kind !== "session") throw new AuthenticationError("Not signed in", 401, "unauthenticated");
    if (c.accessToken !== staleAccessToken && c.expiresAt - this.now() > EARLY_REFRESH_MS) return c;
    if (!this.refreshing) {
      const started = this.refresher(c.refreshToken).then(
        async (s) => {
          this.credentials = { kind: "session", ...s };
          await this.onSessionChange?.(s);
          return s;
        },
        async (err: unknown) => {
          if (err instanceof AuthenticationError) {
            this.credentials = undefined;
            await this.onSessionChange?.(null);
          }
          throw err;
        },
      );
      this.refreshing = started;
      const clear = () => {
        if (this.refreshing === started) this.refreshing = undefined;
      };
      started.then(clear, clear);
    }
    return this.refreshing;
  }
}
