import { findVisibleTask, type IdentityRow, isUnready, taskDownloadUrl } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";

const viewerOf = (i: IdentityRow | undefined) => ({ id: i?.id ?? "", role: i?.role ?? ("reporter" as const) });

/**
 * `GET /api/task_result/<uuid>/` and `…/download/` (zentral.md §4,
 * `server/base/api_views.py`). A task that is not the caller's (and the caller
 * is no admin) answers exactly like an unknown one: ids are not an oracle.
 */
export const taskResult = async (c: Context<AppEnv, "/task_result/:id/">) => {
  const id = c.req.param("id");
  const task = await findVisibleTask(await domain(c), id, viewerOf(c.get("identity")));
  if (!task) return c.json({ id, status: "UNKNOWN", unready: true }, 200);
  const body: Record<string, unknown> = { name: task.name, id, status: task.status, unready: isUnready(task.status) };
  if (task.status === "SUCCESS" && task.result && typeof task.result === "object") {
    const { filepath, ...result } = task.result;
    if (filepath) body.download_url = `/api/task_result/${id}/download/`;
    body.result = result;
  }
  return c.json(body, 200);
};

/** `GET /api/task_result/<uuid>/download/`: a redirect to the file's signed link. */
export const taskResultDownload = async (c: Context<AppEnv, "/task_result/:id/download/">) => {
  const url = await taskDownloadUrl(await domain(c), c.req.param("id"), viewerOf(c.get("identity")));
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  // Zentral redirects to its storage's signed URL (ours: see taskDownloadUrl).
  return c.redirect(url, 302);
};
