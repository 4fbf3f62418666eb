import createClient, { type Client } from "openapi-fetch";
import { AuthState, type Credentials, type Refresher, type Session } from "./auth";
import { type DeviceLoginOptions, deviceLogin } from "./device-login";
import { errorFromResponse, FleetgateError, readBody } from "./errors";
import type { paths } from "./gen/v1";
import { type WatchEvent, type WatchOptions, watchJob } from "./jobs-watch";
import { patchingApi } from "./patching";
import { ok } from "./result";
import { platformSocket, type SocketFactory } from "./socket";
import { filenameFrom, type TaskFile, type WaitOptions, waitForTask } from "./tasks";
import { createTransport } from "./transport";
import type {
  AuditQuery,
  CertificateQuery,
  CreateJobRequest,
  ExportRequest,
  HostFilter,
  HostSummary,
  JobDetail,
  Schemas,
  Task,
} from "./types";

export interface FleetgateOptions {
  /** The deployment's origin, e.g. `https://fleet.example.com`. */
  url: string;
  credentials?: Credentials;
  /** Called after every refresh (persist the new session) and with null when the session ended. */
  onSessionChange?: (session: Session | null) => void | Promise<void>;
  fetch?: (request: Request) => Promise<Response>;
  /** WebSocket for `jobs.watch` (Node 20: the `ws` package; default: the platform's). */
  webSocket?: SocketFactory;
  /** `Origin` sent by non-browser WebSockets; default: the deployment's own origin. */
  wsOrigin?: string;
  /**
   * Wraps every session refresh, e.g. with a lock shared by the processes that use one stored session:
   * `refresh` may be called with a newer refresh token than `refreshToken`, or not at all when another
   * process already refreshed (return that session).
   */
  refreshWith?: (refresh: Refresher, refreshToken: string) => Promise<Session>;
  /** Extra attempts for retryable failures (default 3). */
  retries?: number;
  userAgent?: string;
}

/** A fresh Idempotency-Key (UUIDv4): one per logical create, reused by its retries. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * Creates a client for Fleetgate's native API: `fg.hosts.list(filter)`, `fg.jobs.watch(id)`,
 * `fg.tasks.waitAndDownload(id)`, … Works in Node 20+ and in browsers.
 */
export function createFleetgate(opts: FleetgateOptions) {
  const origin = new URL(opts.url).origin;
  const baseFetch = opts.fetch ?? ((r: Request) => globalThis.fetch(r));
  const anonymous = createTransport({
    auth: new AuthState(undefined, () => Promise.reject(new Error("unreachable"))),
    fetch: baseFetch,
    retries: opts.retries,
    userAgent: opts.userAgent,
  });
  const publicApi: Client<paths> = createClient<paths>({ baseUrl: `${origin}/api/v1`, fetch: anonymous });

  const toSession = (r: Schemas["LoginResponse"]): Session => ({
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    expiresAt: Date.now() + r.expires_in * 1000,
  });
  const refresh: Refresher = async (refreshToken) =>
    toSession(await ok(publicApi.POST("/auth/refresh", { body: { refresh_token: refreshToken } })));
  const refreshWith = opts.refreshWith;
  const auth = new AuthState(
    opts.credentials,
    refreshWith ? (token) => refreshWith(refresh, token) : refresh,
    opts.onSessionChange,
  );
  const transport = createTransport({ auth, fetch: baseFetch, retries: opts.retries, userAgent: opts.userAgent });
  const api: Client<paths> = createClient<paths>({ baseUrl: `${origin}/api/v1`, fetch: transport });

  /** Any request on the deployment (path from the origin, e.g. `/api/v1/hosts`), authenticated. */
  const request = (path: string, init: RequestInit = {}): Promise<Response> =>
    transport(new Request(new URL(path, origin), init));

  const text = async (path: string): Promise<string> => {
    const res = await request(path);
    if (!res.ok) throw errorFromResponse(res, await readBody(res));
    return res.text();
  };

  const hosts = {
    /** One page of hosts (the list's filters, sorting and pagination). */
    list: (filter: HostFilter = {}) => ok(api.GET("/hosts", { params: { query: filter } })),
    /** Every host matching the filter, page by page. */
    async *listAll(filter: Omit<HostFilter, "limit" | "offset"> = {}): AsyncGenerator<HostSummary> {
      const limit = 500;
      for (let offset = 0; ; offset += limit) {
        const page = await ok(api.GET("/hosts", { params: { query: { ...filter, limit, offset } } }));
        yield* page.hosts;
        if (page.hosts.length < limit || offset + limit >= page.total) return;
      }
    },
    get: (id: string) => ok(api.GET("/hosts/{id}", { params: { path: { id } } })),
    delete: (id: string) => ok(api.DELETE("/hosts/{id}", { params: { path: { id } } })),
    scripts: (id: string) => ok(api.GET("/hosts/{id}/scripts", { params: { path: { id } } })),
    groups: (id: string) => ok(api.GET("/hosts/{id}/groups", { params: { path: { id } } })),
  };

  const jobs = {
    /**
     * Starts a job. Retries (network errors, 429, 5xx) reuse one Idempotency-Key, so the job is
     * created once; pass your own key to make a re-run of your program idempotent too.
     */
    create: (body: CreateJobRequest, o: { idempotencyKey?: string } = {}) =>
      ok(
        api.POST("/jobs", {
          body,
          params: { header: { "idempotency-key": o.idempotencyKey ?? newIdempotencyKey() } },
        }),
      ),
    list: (q: { limit?: number; offset?: number } = {}) => ok(api.GET("/jobs", { params: { query: q } })),
    get: (id: string) => ok(api.GET("/jobs/{id}", { params: { path: { id } } })),
    cancel: (id: string) => ok(api.POST("/jobs/{id}/cancel", { params: { path: { id } } })),
    /** Restores the exact pre-patch versions of a patch job's hosts (a new job; 422 no_hosts). */
    rollback: (id: string) => ok(api.POST("/jobs/{id}/rollback", { params: { path: { id } } })),
    /** The full output of one host's stream (beyond the 64 KiB preview). */
    output: (id: string, hostId: string, stream: "stdout" | "stderr" = "stdout") =>
      text(`/api/v1/jobs/${encodeURIComponent(id)}/hosts/${encodeURIComponent(hostId)}/output?stream=${stream}`),
    /** Live events of a job until it ends; reconnects and catches up without losing or repeating output. */
    watch: (id: string, o: WatchOptions = {}): AsyncGenerator<WatchEvent> =>
      watchJob(
        {
          wsUrl: (ticket) =>
            `${origin.replace(/^http/, "ws")}/api/v1/ws/jobs?ticket=${encodeURIComponent(ticket)}&job=${encodeURIComponent(id)}`,
          origin: opts.wsOrigin ?? origin,
          socket: opts.webSocket ?? platformSocket,
          ticket: async () => (await ok(api.POST("/ws/ticket"))).ticket,
          getJob: (): Promise<JobDetail> => jobs.get(id),
          getOutput: (hostId, stream) => jobs.output(id, hostId, stream),
        },
        o,
      ),
  };

  const tasks = {
    list: (q: { status?: Task["status"]; limit?: number; offset?: number } = {}) =>
      ok(api.GET("/tasks", { params: { query: q } })),
    get: (id: string) => ok(api.GET("/tasks/{id}", { params: { path: { id } } })),
    delete: (id: string) => ok(api.DELETE("/tasks/{id}", { params: { path: { id } } })),
    /** Waits for the task (progress via `onProgress`), then opens its file through the signed link. */
    async waitAndDownload(id: string, o: WaitOptions = {}): Promise<TaskFile> {
      const task = await waitForTask(() => tasks.get(id), o);
      if (!task.download_url) throw new FleetgateError(`Task ${id} has no file`, 404, "no_file");
      return download(task);
    },
  };

  /** Follows the download endpoint's 302 to the signed link itself, so no credential goes along. */
  async function download(task: Task): Promise<TaskFile> {
    const first = await request(task.download_url ?? "", { redirect: "manual" });
    let res = first;
    const location = first.headers.get("location");
    if (first.status >= 300 && first.status < 400 && location) {
      await first.body?.cancel();
      res = await baseFetch(new Request(new URL(location, origin)));
    } else if ((first.type as string) === "opaqueredirect") {
      // Browsers hide the Location of a manual redirect; following drops the credential cross-origin.
      res = await request(task.download_url ?? "");
    }
    if (!res.ok) throw errorFromResponse(res, await readBody(res));
    return {
      task,
      filename: filenameFrom(res.headers.get("content-disposition")),
      contentType: res.headers.get("content-type") ?? undefined,
      response: res,
    };
  }

  return {
    api,
    request,
    auth: {
      /** Signs in (password + TOTP when enrolled); the client then uses and refreshes the session. */
      async login(body: Schemas["LoginRequest"]) {
        const r = await ok(publicApi.POST("/auth/login", { body }));
        const session = toSession(r);
        auth.set({ kind: "session", ...session });
        await opts.onSessionChange?.(session);
        return { user: r.user, session };
      },
      /** Signs in through the browser: shows a code via `onCode`, returns once a user approved it. */
      async deviceLogin(o: DeviceLoginOptions) {
        const r = await deviceLogin(publicApi, o);
        const session = toSession(r);
        auth.set({ kind: "session", ...session });
        await opts.onSessionChange?.(session);
        return { user: r.user, session };
      },
      /** Ends the session server-side (its refresh family), then forgets it. */
      async logout() {
        const c = auth.current;
        if (c?.kind === "session")
          await ok(publicApi.POST("/auth/logout", { body: { refresh_token: c.refreshToken } }));
        auth.set(undefined);
        await opts.onSessionChange?.(null);
      },
      get credentials(): Credentials | undefined {
        return auth.current;
      },
    },
    users: {
      me: () => ok(api.GET("/users/me")),
      list: () => ok(api.GET("/users")),
      get: (id: string) => ok(api.GET("/users/{id}", { params: { path: { id } } })),
      create: (body: Schemas["CreateUserRequest"]) => ok(api.POST("/users", { body })),
      update: (id: string, body: Schemas["UpdateUserRequest"]) =>
        ok(api.PUT("/users/{id}", { params: { path: { id } }, body })),
      delete: (id: string) => ok(api.DELETE("/users/{id}", { params: { path: { id } } })),
      revoke: (id: string) => ok(api.POST("/users/{id}/revoke", { params: { path: { id } } })),
      resetMfa: (id: string) => ok(api.DELETE("/users/{id}/mfa", { params: { path: { id } } })),
    },
    groups: {
      list: () => ok(api.GET("/groups")),
    },
    tokens: {
      list: () => ok(api.GET("/tokens")),
      create: (body: Schemas["CreateTokenRequest"]) => ok(api.POST("/tokens", { body })),
      revoke: (id: string) => ok(api.DELETE("/tokens/{id}", { params: { path: { id } } })),
    },
    serviceAccounts: {
      list: () => ok(api.GET("/service-accounts")),
      create: (body: Schemas["CreateServiceAccountRequest"]) => ok(api.POST("/service-accounts", { body })),
      delete: (id: string) => ok(api.DELETE("/service-accounts/{id}", { params: { path: { id } } })),
      createToken: (id: string, body: Schemas["CreateTokenRequest"]) =>
        ok(api.POST("/service-accounts/{id}/tokens", { params: { path: { id } }, body })),
    },
    hosts,
    jobs,
    tasks,
    ...patchingApi(api, request),
    exports: {
      /** Starts an export task (202); follow it with `tasks.waitAndDownload(task_id)`. */
      create: (body: ExportRequest) => ok(api.POST("/exports", { body })),
    },
    enrollments: {
      create: (body: Schemas["CreateEnrollmentRequest"]) => ok(api.POST("/enrollments", { body })),
      list: () => ok(api.GET("/enrollments")),
      delete: (id: string) => ok(api.DELETE("/enrollments/{id}", { params: { path: { id } } })),
      pending: () => ok(api.GET("/admin/enrollments")),
      approve: (id: string) => ok(api.POST("/admin/enrollments/{id}/approve", { params: { path: { id } } })),
      deny: (id: string) => ok(api.DELETE("/admin/enrollments/{id}/deny", { params: { path: { id } } })),
    },
    certificates: {
      list: (q: CertificateQuery = {}) => ok(api.GET("/certificates", { params: { query: q } })),
      revoke: (
        id: string,
        reason?: NonNullable<paths["/certificates/{id}"]["delete"]["parameters"]["query"]>["reason"],
      ) => ok(api.DELETE("/certificates/{id}", { params: { path: { id }, query: reason ? { reason } : {} } })),
    },
    ca: {
      /** The CA certificate chain (PEM). */
      chain: () => text("/api/v1/ca/root.crt"),
      /** The current CRL (PEM). */
      crl: () => text("/api/v1/pki/crl.pem"),
    },
    tokenIssuers: {
      list: () => ok(api.GET("/token-issuers")),
      get: (id: string) => ok(api.GET("/token-issuers/{id}", { params: { path: { id } } })),
      create: (body: Schemas["CreateTokenIssuerRequest"]) => ok(api.POST("/token-issuers", { body })),
      delete: (id: string) => ok(api.DELETE("/token-issuers/{id}", { params: { path: { id } } })),
      /** Why a CI token would (not) be exchanged, check by check. */
      explain: (id: string, jwt: string) =>
        ok(api.POST("/token-issuers/{id}/explain", { params: { path: { id } }, body: { jwt } })),
    },
    audit: {
      list: (q: AuditQuery = {}) => ok(api.GET("/audit", { params: { query: q } })),
      /** Signed ledger checkpoints, newest first, with the signing key as a JWKS. */
      checkpoints: (q: { cursor?: number; limit?: number } = {}) =>
        ok(api.GET("/audit/checkpoints", { params: { query: q } })),
      /** The checkpoint signing key alone (unauthenticated); pin it outside the deployment. */
      checkpointKeys: () => ok(publicApi.GET("/audit/checkpoints/jwks.json")),
    },
  };
}

/** The client `createFleetgate` returns. */
export type Fleetgate = ReturnType<typeof createFleetgate>;
