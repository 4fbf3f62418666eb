import { describe, expect, it } from "vitest";
import { createFleetgate } from "./client";
import { AuthenticationError, NetworkError, NotFoundError, RateLimitError, ServerError } from "./errors";

type Handler = (req: Request, n: number) => Response | Promise<Response>;

/** A fake server: records every request and answers from `handler`. */
function fakeFetch(handler: Handler) {
  const seen: Request[] = [];
  const fetch = async (req: Request) => {
    seen.push(req.clone());
    return handler(req, seen.length);
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const hostList = { hosts: [], total: 0, limit: 50, offset: 0 };
const login = (n: number) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: "Bearer",
  expires_in: 900,
  user: { id: "u1", username: "admin", display_name: "Admin", role: "admin", mfa_enabled: true },
});
const noSleep = { retries: 3 };

describe("transport: retries", () => {
  it("retries a GET on 503 and returns the later success", async () => {
    const f = fakeFetch((_r, n) =>
      n < 3 ? json(503, { error: { code: "unavailable", message: "x" } }) : json(200, hostList),
    );
    const fg = createFleetgate({
      url: "http://fg.test",
      fetch: f.fetch,
      credentials: { kind: "token", token: "ztlu_x" },
      ...noSleep,
    });
    await expect(fg.hosts.list()).resolves.toEqual(hostList);
    expect(f.seen).toHaveLength(3);
    expect(f.seen[0]?.headers.get("authorization")).toBe("Token ztlu_x");
  });

  it("honours Retry-After on 429 and gives up with a RateLimitError", async () => {
    const f = fakeFetch(() =>
      json(429, { error: { code: "rate_limited", message: "slow down" } }, { "retry-after": "0" }),
    );
    const fg = createFleetgate({ url: "http://fg.test", fetch: f.fetch, retries: 2 });
    const err = await fg.users.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterSeconds).toBe(0);
    expect((err as RateLimitError).code).toBe("rate_limited");
    expect(f.seen).toHaveLength(3);
  });

  it("never replays a POST without an Idempotency-Key", async () => {
    const f = fakeFetch(() => json(503, { error: { code: "unavailable", message: "down" } }));
    const fg = createFleetgate({ url: "http://fg.test", fetch: f.fetch });
    await expect(fg.tokens.create({ name: "ci" })).rejects.toBeInstanceOf(ServerError);
    expect(f.seen).toHaveLength(1);
  });

  it("replays a job create with one Idempotency-Key across attempts", async () => {
    const f = fakeFetch((_r, n) =>
      n === 1
        ? Promise.reject(new TypeError("fetch failed"))
        : json(200, { id: "j1", reqid: "ab", message: "Job created" }),
    );
    const fg = createFleetgate({ url: "http://fg.test", fetch: f.fetch });
    const job = await fg.jobs.create({ kind: "script", script: "uptime", host_ids: ["h"] });
    expect(job.id).toBe("j1");
    expect(f.seen).toHaveLength(2);
    const keys = f.seen.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await f.seen[1]?.json()).toEqual({ kind: "script", script: "uptime", host_ids: ["h"] });
  });

  it("turns an unreachable server into a NetworkError", async () => {
    const f = fakeFetch(() => Promise.reject(new TypeError("ECONNREFUSED")));
    const fg = createFleetgate({ url: "http://fg.test", fetch: f.fetch, retries: 1 });
    const err = await fg.hosts.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe("network_error");
  });
});

describe("typed errors", () => {
  it("maps the native error body to a NotFoundError with code and request id", async () => {
    const f = fakeFetch(() =>
      json(404, { error: { code: "not_found", message: "Host not found" } }, { "x-request-id": "req-1" }),
    );
    const fg = createFleetgate({ url: "http://fg.test", fetch: f.fetch });
    const err = await fg.hosts.get("8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: "not_found", message: "Host not found", requestId: "req-1" });
  });
});

describe("auth: single-flight refresh", () => {
  it("refreshes an expiring session once for many concurrent calls", async () => {
    let refreshes = 0;
    const f = fakeFetch(async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/api/v1/auth/refresh") {
        refreshes++;
        expect(await req.json()).toEqual({ refresh_token: "refresh-0" });
        await new Promise((r) => setTimeout(r, 20));
        return json(200, login(1));
      }
      expect(req.headers.get("authorization")).toBe("Bearer access-1");
      return json(200, hostList);
    });
    const sessions: unknown[] = [];
    const fg = createFleetgate({
      url: "http://fg.test",
      fetch: f.fetch,
      credentials: {
        kind: "session",
        accessToken: "access-0",
        refreshToken: "refresh-0",
        expiresAt: Date.now() + 1000,
      },
      onSessionChange: (s) => {
        sessions.push(s);
      },
    });
    await Promise.all(Array.from({ length: 5 }, () => fg.hosts.list()));
    expect(refreshes).toBe(1);
    expect(sessions).toHaveLength(1);
    expect(fg.auth.credentials).toMatchObject({ kind: "session", accessToken: "access-1", refreshToken: "refresh-1" });
  });

  it("refreshes once on a 401 and retries the request", async () => {
    const f = fakeFetch(async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/v1/auth/refresh") return json(200, login(2));
      if (req.headers.get("authorization") === "Bearer access-2") return json(200, hostList);
      return json(401, { error: { code: "unauthorized", message: "Token expired" } });
    });
    const fg = createFleetgate({
      url: "http://fg.test",
      fetch: f.fetch,
      credentials: { kind: "session", accessToken: "old", refreshToken: "r", expiresAt: Date.now() + 600_000 },
    });
    await expect(fg.hosts.list()).resolves.toEqual(hostList);
    expect(f.seen.map((r) => new URL(r.url).pathname)).toEqual([
      "/api/v1/hosts",
      "/api/v1/auth/refresh",
      "/api/v1/hosts",
    ]);
  });

  it("ends the session when the refresh is refused", async () => {
    const f = fakeFetch((req) =>
      new URL(req.url).pathname === "/api/v1/auth/refresh"
        ? json(401, { error: { code: "invalid_refresh_token", message: "Invalid refresh token" } })
        : json(401, { error: { code: "unauthorized", message: "Token expired" } }),
    );
    const changes: unknown[] = [];
    const fg = createFleetgate({
      url: "http://fg.test",
      fetch: f.fetch,
      credentials: { kind: "session", accessToken: "old", refreshToken: "r", expiresAt: Date.now() + 600_000 },
      onSessionChange: (s) => {
        changes.push(s);
      },
    });
    await expect(fg.hosts.list()).rejects.toBeInstanceOf(AuthenticationError);
    expect(changes).toEqual([null]);
    expect(fg.auth.credentials).toBeUndefined();
  });
});

describe("tasks.waitAndDownload", () => {
  it("polls until the task is ready, then follows the signed link without the credential", async () => {
    const task = (status: string, unready: boolean) => ({
      id: "t1",
      name: "fleetgate.exports.export_inventory",
      status,
      unready,
      created_by: "u1",
      created_at: "2026-06-02T10:11:12.123Z",
      started_at: null,
      finished_at: null,
      attempts: 1,
      error: null,
      result: null,
      download_url: unready ? null : "/api/task_result/t1/download/",
    });
    const f = fakeFetch((req, n) => {
      const url = new URL(req.url);
      if (url.pathname === "/api/v1/tasks/t1") return json(200, n < 3 ? task("STARTED", true) : task("SUCCESS", false));
      if (url.pathname === "/api/task_result/t1/download/") {
        return new Response(null, {
          status: 302,
          headers: { location: "/files/exports/t1/x.csv?task=t1&exp=1&sig=s" },
        });
      }
      if (url.pathname === "/files/exports/t1/x.csv") {
        return new Response("a,b\r\n", {
          headers: {
            "content-type": "text/csv",
            "content-disposition": 'attachment; filename="../../etc/inventory.csv"',
          },
        });
      }
      return json(404, { detail: "Not found." });
    });
    const fg = createFleetgate({
      url: "http://fg.test",
      fetch: f.fetch,
      credentials: { kind: "token", token: "ztlu_t" },
    });
    const progress: string[] = [];
    const file = await fg.tasks.waitAndDownload("t1", { minIntervalMs: 1, onProgress: (t) => progress.push(t.status) });
    expect(progress).toEqual(["STARTED", "STARTED", "SUCCESS"]);
    expect(await file.response.text()).toBe("a,b\r\n");
    expect(file.filename).toBe("inventory.csv");
    expect(file.contentType).toBe("text/csv");
    const signed = f.seen.at(-1);
    expect(signed?.url).toBe("http://fg.test/files/exports/t1/x.csv?task=t1&exp=1&sig=s");
    expect(signed?.headers.get("authorization")).toBeNull();
    expect(f.seen.at(-2)?.headers.get("authorization")).toBe("Token ztlu_t");
  });

  it("throws when the task failed", async () => {
    const f = fakeFetch(() =>
      json(200, {
        id: "t2",
        name: "n",
        status: "FAILURE",
        unready: false,
        created_by: null,
        created_at: "",
        started_at: null,
        finished_at: null,
        attempts: 3,
        error: "boom",
        result: null,
        download_url: null,
      }),
    );
    const fg = createFleetgate({ url: "http://fg.test", fetch: f.fetch });
    await expect(fg.tasks.waitAndDownload("t2")).rejects.toMatchObject({ code: "task_failed" });
  });
});
