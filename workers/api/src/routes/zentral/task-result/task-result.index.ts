import {
  DOWNLOAD_LINK_TTL_SECONDS,
  findVisibleTask,
  type IdentityRow,
  isUnready,
  signDownloadLink,
} from "@fleetgate/domain";
import { Hono } from "hono";
import type { AppEnv } from "../../../context";
import { domain, publicBase } from "../../../lib/domain-context";
import { presignR2Get, r2PresignConfig } from "../../../lib/r2-presign";
import { zentralAuth } from "../auth";
import { UUID_PARAM } from "../drf";
import { DrfError } from "../errors";

const viewerOf = (i: IdentityRow | undefined) => ({ id: i?.id ?? "", role: i?.role ?? ("reporter" as const) });

/**
 * `GET /api/task_result/<uuid>/` and `…/download/` (zentral.md §4,
 * `server/base/api_views.py`). A task that is not the caller's (and the caller
 * is no admin) answers exactly like an unknown one: ids are not an oracle.
 */
export const taskResultRouter = new Hono<AppEnv>({ strict: true })
  .get(`/task_result/:id{${UUID_PARAM}}/`, zentralAuth, async (c) => {
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
  })
  .get(`/task_result/:id{${UUID_PARAM}}/download/`, zentralAuth, async (c) => {
    const id = c.req.param("id");
    const ctx = await domain(c);
    const task = await findVisibleTask(ctx, id, viewerOf(c.get("identity")));
    if (task?.status !== "SUCCESS") throw new DrfError(404, { detail: "No TaskResult matches the given query." });
    const filepath = task.result?.filepath;
    if (typeof filepath !== "string" || filepath === "" || filepath !== task.fileKey)
      throw new DrfError(404, { detail: "Not found." });
    if (!(await c.env.EXPORTS.head(filepath))) throw new DrfError(404, { detail: "Not found." });
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    // Zentral redirects to its storage's signed URL when it has one. Ours is a short-lived
    // HMAC link to /files/ (revocable: checked against the task on every use), unless R2
    // S3 credentials are configured, in which case R2 presigns (not revocable; see docs).
    const r2 = r2PresignConfig(c.env);
    if (r2) {
      const url = await presignR2Get(r2, filepath, {
        ttlSeconds: DOWNLOAD_LINK_TTL_SECONDS,
        headers: task.headers ?? {},
      });
      return c.redirect(url, 302);
    }
    const link = await signDownloadLink(ctx, { taskId: id, key: filepath });
    return c.redirect(`${publicBase(c)}${link.path}`, 302);
  });
