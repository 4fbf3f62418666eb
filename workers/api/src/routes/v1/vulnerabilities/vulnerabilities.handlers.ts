import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./vulnerabilities.routes";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export const feeds: RouteHandler<typeof r.feeds, AppEnv> = async (c) => {
  const status = await svc.osvFeedStatus(await domain(c));
  return c.json(
    {
      enabled: status.enabled,
      refresh_hours: status.refreshHours,
      feeds: status.feeds.map((f) => ({
        feed: f.feed,
        configured: f.configured,
        last_attempt_at: iso(f.lastAttempt?.startedAt),
        last_attempt_status: f.lastAttempt?.status ?? null,
        last_attempt_source: f.lastAttempt?.source ?? null,
        last_attempt_finished_at: iso(f.lastAttempt?.finishedAt),
        last_error: f.lastAttempt?.status === "failed" ? (f.lastAttempt.error ?? null) : null,
        last_success_at: iso(f.lastSuccessAt),
        imported_at: iso(f.inForce?.importedAt),
        records: f.inForce?.records ?? null,
        ranges: f.inForce?.ranges ?? null,
      })),
    },
    200,
  );
};
