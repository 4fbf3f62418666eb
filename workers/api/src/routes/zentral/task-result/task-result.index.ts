import { serveDocumented } from "../../../lib/documented-route";
import { createRouter } from "../../../lib/router";
import { uuidPath } from "../responses";
import { taskResult, taskResultDownload } from "./task-result.handlers";
import { downloadTaskResult, getTaskResult } from "./task-result.routes";

export const taskResultRouter = serveDocumented(
  serveDocumented(createRouter(), getTaskResult, taskResult, uuidPath(getTaskResult.path)),
  downloadTaskResult,
  taskResultDownload,
  uuidPath(downloadTaskResult.path),
);
