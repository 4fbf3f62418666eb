import type { StoredFile } from "../ports/files.port";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { DOWNLOAD_LINK_TTL_SECONDS, signDownloadLink, verifyDownloadLink } from "./download-links";
import { deleteTask, findTask, findVisibleTask, type TaskRow, type TaskViewer } from "./tasks.service";

/** Deletes a task the viewer may see and its file in R2; its signed download links stop working. */
export async function deleteTaskAndFile(ctx: DomainContext, id: string, viewer: TaskViewer): Promise<TaskRow> {
  const row = await deleteTask(ctx, id, viewer);
  if (row.fileKey) await ctx.files.delete(row.fileKey);
  return row;
}

/**
 * The file behind a signed download link (`/files/<key>?task=…&exp=…&sig=…`):
 * a changed signature, key, task or expiry, or an expired link → `auth.forbidden`;
 * a task that was deleted, or whose file is gone → `common.not_found`.
 */
export async function openDownloadLink(
  ctx: DomainContext,
  link: { key: string; taskId: string | undefined; exp: string | undefined; sig: string | undefined },
): Promise<{ file: StoredFile; headers: Record<string, string> }> {
  const valid = await verifyDownloadLink(ctx, { method: "GET", ...link });
  if (!valid || !link.taskId) throw new DomainError("auth.forbidden", "Invalid or expired download link");
  const task = await findTask(ctx, link.taskId);
  if (task?.status !== "SUCCESS" || task.fileKey !== link.key)
    throw new DomainError("common.not_found", "File not found");
  const file = await ctx.files.get(link.key);
  if (!file) throw new DomainError("common.not_found", "File not found");
  return { file, headers: task.headers ?? {} };
}

/**
 * Where to download a finished task's file: an R2 presigned URL when R2 S3
 * credentials are configured (not revocable), else a short-lived HMAC link to
 * `/files/` (checked against the task on every use). `tasks.result_not_found`
 * when the viewer has no finished task of that id.
 */
export async function taskDownloadUrl(ctx: DomainContext, id: string, viewer: TaskViewer): Promise<string> {
  const task = await findVisibleTask(ctx, id, viewer);
  if (task?.status !== "SUCCESS") throw new DomainError("tasks.result_not_found");
  const filepath = task.result?.filepath;
  if (typeof filepath !== "string" || filepath === "" || filepath !== task.fileKey) {
    throw new DomainError("common.not_found", { reason: "the task's filepath is not its file" });
  }
  if (!(await ctx.files.exists(filepath))) throw new DomainError("common.not_found", { reason: "file missing in R2" });
  const presigned = await ctx.files.presignedGet(filepath, {
    ttlSeconds: DOWNLOAD_LINK_TTL_SECONDS,
    headers: task.headers ?? {},
  });
  if (presigned) return presigned;
  const link = await signDownloadLink(ctx, { taskId: id, key: filepath });
  return `${ctx.issuer}${link.path}`;
}
