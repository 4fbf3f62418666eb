import { describe, expect, it } from "vitest";
import { serveDashboard, wantsHtml } from "./dashboard";

const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** A stand-in for the ASSETS binding that records what was asked of it. */
function assets(status = 200) {
  const body = status === 200 ? "<!doctype html><title>Fleetgate</title>" : status === 304 ? null : "missing";
  const asked: string[] = [];
  const fetcher = {
    fetch: async (input: RequestInfo | URL) => {
      asked.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return new Response(body, {
        status,
        headers: { "content-type": "text/html" },
      });
    },
  } as unknown as Fetcher;
  return { fetcher, asked };
}

const get = (path: string, accept?: string, method = "GET") =>
  new Request(`http://127.0.0.1:8787${path}`, { method, headers: accept ? { accept } : {} });

describe("serveDashboard", () => {
  it("a browser navigation to / gets the SPA shell (no-cache, Vary: Accept)", async () => {
    const a = assets();
    const res = await serveDashboard(get("/", BROWSER), a.fetcher);
    expect(res?.status).toBe(200);
    expect(await res?.text()).toContain("<title>Fleetgate</title>");
    expect(res?.headers.get("cache-control")).toBe("no-cache");
    expect(res?.headers.get("vary")).toContain("Accept");
    expect(a.asked).toEqual(["/"]);
  });

  it("GET / for API clients (JSON, */*, no Accept) is left to ctrl-exec", async () => {
    for (const accept of ["application/json", "*/*", undefined]) {
      const a = assets();
      expect(await serveDashboard(get("/", accept), a.fetcher)).toBeUndefined();
      expect(a.asked).toEqual([]);
    }
  });

  it("/app and every /app/… path get the shell whatever the Accept header", async () => {
    for (const path of ["/app", "/app/", "/app/hosts", "/app/jobs/8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10"]) {
      const res = await serveDashboard(get(path, "*/*"), assets().fetcher);
      expect(res?.status, path).toBe(200);
    }
  });

  it("API and other faces' paths are never touched, even for browsers", async () => {
    for (const path of ["/api/v1/docs", "/health", "/status/abc123", "/application", "/edge/client/v1/version"]) {
      expect(await serveDashboard(get(path, BROWSER), assets().fetcher), path).toBeUndefined();
    }
  });

  it("a revalidation (If-None-Match) answered 304 by the assets stays a 304", async () => {
    const res = await serveDashboard(get("/app/hosts", BROWSER), assets(304).fetcher);
    expect(res?.status).toBe(304);
  });

  it("non-GET methods and a missing build fall through", async () => {
    expect(await serveDashboard(get("/app/", BROWSER, "POST"), assets().fetcher)).toBeUndefined();
    expect(await serveDashboard(get("/app/", BROWSER), assets(404).fetcher)).toBeUndefined();
    expect(await serveDashboard(get("/app/", BROWSER), undefined)).toBeUndefined();
  });
});

describe("wantsHtml", () => {
  it("reads media types, not substrings", () => {
    expect(wantsHtml(BROWSER)).toBe(true);
    expect(wantsHtml("application/xhtml+xml")).toBe(true);
    expect(wantsHtml("application/json")).toBe(false);
    expect(wantsHtml("application/json; x=text/html")).toBe(false);
    expect(wantsHtml(null)).toBe(false);
  });
});
