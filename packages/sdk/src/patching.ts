import type { Client } from "openapi-fetch";
import { errorFromResponse, readBody } from "./errors";
import type { paths } from "./gen/v1";
import { ok } from "./result";
import { filenameFrom } from "./tasks";
import type { Schemas } from "./types";

/** Query of `GET /hosts/{id}/updates` (pagination, `security` flag). */
export type UpdatesQuery = NonNullable<paths["/hosts/{id}/updates"]["get"]["parameters"]["query"]>;
/** Query of `GET /hosts/{id}/packages` (pagination, name search). */
export type PackagesQuery = NonNullable<paths["/hosts/{id}/packages"]["get"]["parameters"]["query"]>;
export type ReportType = paths["/reports/{type}"]["get"]["parameters"]["path"]["type"];
export type ReportOptions = NonNullable<paths["/reports/{type}"]["get"]["parameters"]["query"]>;

/** A report answered in one request: the streaming body, its name and type. */
export interface ReportFile {
  filename: string | undefined;
  contentType: string | undefined;
  response: Response;
}

type Requester = (path: string, init?: RequestInit) => Promise<Response>;

/**
 * Patch management on the native face: pending updates, maintenance windows, health checks,
 * fleet status and reports. Part of `createFleetgate`'s client (`fg.updates`, `fg.windows`, …).
 */
export function patchingApi(api: Client<paths>, request: Requester) {
  const hostPath = (id: string) => ({ params: { path: { id } } });
  return {
    updates: {
      /** One page of a host's pending updates (security first as the server orders them). */
      list: (hostId: string, q: UpdatesQuery = {}) =>
        ok(api.GET("/hosts/{id}/updates", { params: { path: { id: hostId }, query: q } })),
      /** One page of a host's installed packages. */
      packages: (hostId: string, q: PackagesQuery = {}) =>
        ok(api.GET("/hosts/{id}/packages", { params: { path: { id: hostId }, query: q } })),
      /** Asks the host's agent for a fresh inventory (202). */
      refresh: (hostId: string) => ok(api.POST("/hosts/{id}/refresh", hostPath(hostId))),
    },
    windows: {
      /** Every window on the hosts the caller may see (the calendar). */
      list: () => ok(api.GET("/maintenance-windows")),
      forHost: (hostId: string) =>
        ok(api.GET("/hosts/{host_id}/maintenance-windows", { params: { path: { host_id: hostId } } })),
      create: (hostId: string, body: Schemas["CreateMaintenanceWindow"]) =>
        ok(api.POST("/hosts/{host_id}/maintenance-windows", { params: { path: { host_id: hostId } }, body })),
      update: (hostId: string, windowId: string, body: Schemas["UpdateMaintenanceWindow"]) =>
        ok(
          api.PUT("/hosts/{host_id}/maintenance-windows/{win_id}", {
            params: { path: { host_id: hostId, win_id: windowId } },
            body,
          }),
        ),
      delete: (hostId: string, windowId: string) =>
        ok(
          api.DELETE("/hosts/{host_id}/maintenance-windows/{win_id}", {
            params: { path: { host_id: hostId, win_id: windowId } },
          }),
        ),
    },
    checks: {
      /** Health checks on the hosts the caller may see, or on one host. */
      list: (hostId?: string) =>
        ok(api.GET("/health-checks", { params: { query: hostId ? { host_id: hostId } : {} } })),
      create: (hostId: string, body: Schemas["CreateHealthCheck"]) =>
        ok(api.POST("/hosts/{host_id}/health-checks", { params: { path: { host_id: hostId } }, body })),
      delete: (hostId: string, checkId: string) =>
        ok(
          api.DELETE("/hosts/{host_id}/health-checks/{check_id}", {
            params: { path: { host_id: hostId, check_id: checkId } },
          }),
        ),
      /** Runs the check on its host's agent now and returns the result. */
      test: (hostId: string, checkId: string) =>
        ok(
          api.POST("/hosts/{host_id}/health-checks/{check_id}/test", {
            params: { path: { host_id: hostId, check_id: checkId } },
          }),
        ),
    },
    status: {
      fleet: (groupId?: string) =>
        ok(api.GET("/status/fleet", { params: { query: groupId ? { group_id: groupId } : {} } })),
      caHealth: () => ok(api.GET("/ca/health")),
    },
    reports: {
      /** A report as one file (`format` csv or pdf); for large fleets use `exports.create({kind: "report:<type>"})`. */
      async download(type: ReportType, o: ReportOptions = {}): Promise<ReportFile> {
        const query = new URLSearchParams();
        for (const [k, v] of Object.entries(o)) if (v !== undefined) query.set(k, String(v));
        const qs = query.size > 0 ? `?${query}` : "";
        const res = await request(`/api/v1/reports/${encodeURIComponent(type)}${qs}`);
        if (!res.ok) throw errorFromResponse(res, await readBody(res));
        return {
          filename: filenameFrom(res.headers.get("content-disposition")),
          contentType: res.headers.get("content-type") ?? undefined,
          response: res,
        };
      },
    },
  };
}
