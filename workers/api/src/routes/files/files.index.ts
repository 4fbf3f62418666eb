import { findTask, verifyDownloadLink } from "@fleetgate/domain";
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { domain } from "../../lib/domain-context";
import { ApiError } from "../v1/errors";

/** The stored headers a file response may carry (nothing else from the task row reaches the client). */
const PASSED_HEADERS = ["Content-Type", "Content-Disposition"];

/**
 * `GET /files/<key>?task=…&exp=…&sig=…`: streams an R2 object to whoever holds
 * a valid, unexpired signed link (see packages/domain/src/tasks/download-links.ts).
 * A changed signature, key, task or expiry, or an expired link → 403; a link
 * to a task that was deleted, or whose file is gone → 404.
 */
export const filesRouter = new Hono<AppEnv>({ strict: true }).get("/*", async (c) => {
  const key = c.req.path.slice("/files/".length);
  const q = c.req.query();
  const ctx = await domain(c);
  const valid = await verifyDownloadLink(ctx, { method: "GET", key, taskId: q.task, exp: q.exp, sig: q.sig });
  if (!valid || !q.task) throw new ApiError(403, "forbidden", "Invalid or expired download link");
  const task = await findTask(ctx, q.task);
  if (task?.status !== "SUCCESS" || task.fileKey !== key) throw new ApiError(404, "not_found", "File not found");
  const object = await c.env.EXPORTS.get(key);
  if (!object) throw new ApiError(404, "not_found", "File not found");
  const headers = new Headers({
    "Content-Length": String(object.size),
    ETag: object.httpEtag,
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
  for (const name of PASSED_HEADERS) {
    const value = task.headers?.[name];
    if (value) headers.set(name, value);
  }
  if (!headers.has("Content-Type")) headers.set("Content-Type", "application/octet-stream");
  return new Response(object.body, { status: 200, headers });
});
