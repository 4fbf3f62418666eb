import { WsJobsQuery } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { ALL_JOBS, ALL_JOBS_REDACTED } from "@fleetgate/realtime";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Handler } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { validationError } from "../../../lib/http-errors";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import type * as r from "./ws.routes";

/**
 * `allowed` is ALLOWED_ORIGINS; `self` is this server's own origin, always accepted: the
 * dashboard it serves (or a Pages site forwarding to it same-origin) opens its sockets from there.
 */
function checkOrigin(header: string | undefined, allowed: string, self: string): void {
  const forbidden = (message: string) => new ApiError(403, "forbidden_origin", message);
  if (header === undefined || header === "") throw forbidden("Origin header required");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find non-ASCII bytes
  if (/[^\x00-\x7f]/.test(header)) throw forbidden("Origin header not valid ASCII");
  const origin = svc.strictOrigin(header.trim());
  if (!origin) throw forbidden("Malformed Origin header");
  const list = allowed
    .split(",")
    .map((s) => svc.strictOrigin(s.trim()))
    .filter((s): s is string => s !== undefined);
  if (origin !== self && !list.includes(origin)) throw forbidden("Origin not allowed");
}

export const ticket: RouteHandler<typeof r.ticket, AppEnv> = async (c) => {
  const t = await svc.issueWsTicket(await domain(c), currentIdentity(c).id, c.get("principal")?.sessionId);
  return c.json({ ticket: t }, 200);
};

/**
 * `GET /ws/jobs?ticket=…[&job=<id>]` (linux-patch-manager.md §6): Origin first
 * (403 forbidden_origin, the ticket is not consumed), then the ticket (401
 * invalid_ticket / ticket_expired), then the socket goes to the EventHub.
 */
export const jobsStream: Handler<AppEnv> = async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "Expected a WebSocket upgrade");
  }
  checkOrigin(c.req.header("origin"), c.env.ALLOWED_ORIGINS ?? "", new URL(c.req.url).origin);
  const q = WsJobsQuery.safeParse(c.req.query());
  if (!q.success) throw validationError(q.error);
  const ctx = await domain(c);
  const res = await svc.consumeWsTicket(ctx, q.data.ticket ?? "");
  if (!res.ok) {
    throw res.reason === "ticket_expired"
      ? new ApiError(401, "ticket_expired", "WebSocket ticket has expired")
      : new ApiError(401, "invalid_ticket", "WebSocket ticket not found or already used");
  }
  const identity = await svc.findIdentity(ctx, res.identityId);
  // The identity and the session the ticket was issued under must still be live (a logout or a
  // deleted token between the ticket and the upgrade opens nothing).
  const live =
    identity && !identity.disabled && (res.sessionId === undefined || (await svc.sessionIsLive(ctx, res.sessionId)));
  if (!identity || !live) throw new ApiError(401, "invalid_ticket", "WebSocket ticket not found or already used");
  // A job's own stream needs visibility of the job and carries only its visible hosts' events;
  // the all-jobs stream of a non-admin withholds host output and errors.
  const who = await svc.streamSubscription(ctx, identity, q.data.job, res.sessionId);
  const topic = q.data.job ?? (identity.role === "admin" ? ALL_JOBS : ALL_JOBS_REDACTED);
  const upstream = await ctx.events.subscribe(topic, who);
  return new Response(upstream.body, {
    status: upstream.status,
    webSocket: upstream.webSocket,
    headers: upstream.headers,
  });
};
