import { openDownloadLink } from "@fleetgate/domain";
import type { Handler } from "hono";
import type { AppEnv } from "../../context";
import { domain } from "../../lib/domain-context";

/** The stored headers a file response may carry (nothing else from the task row reaches the client). */
const PASSED_HEADERS = ["Content-Type", "Content-Disposition"];

/**
 * `GET /files/<key>?task=…&exp=…&sig=…`: streams an R2 object to whoever holds
 * a valid, unexpired signed link (see packages/domain/src/tasks/download-links.ts).
 * A changed signature, key, task or expiry, or an expired link → 403; a link
 * to a task that was deleted, or whose file is gone → 404.
 */
export const downloadFileHandler: Handler<AppEnv> = async (c) => {
  const q = c.req.query();
  const { file, headers: stored } = await openDownloadLink(await domain(c), {
    key: c.req.path.slice("/files/".length),
    taskId: q.task,
    exp: q.exp,
    sig: q.sig,
  });
  const headers = new Headers({
    "Content-Length": String(file.size),
    ETag: file.httpEtag,
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
  for (const name of PASSED_HEADERS) {
    const value = stored[name];
    if (value) headers.set(name, value);
  }
  if (!headers.has("Content-Type")) headers.set("Content-Type", "application/octet-stream");
  return new Response(file.body, { status: 200, headers });
};
