import { documentedOperation, routerOf } from "../../../lib/route-set";
import { uuidPath } from "../responses";
import { taskResult, taskResultDownload } from "./task-result.handlers";
import { downloadTaskResult, getTaskResult } from "./task-result.routes";

export const taskResultRouter = routerOf(
  documentedOperation(getTaskResult, taskResult, uuidPath(getTaskResult.path)),
  documentedOperation(downloadTaskResult, taskResultDownload, uuidPath(downloadTaskResult.path)),
);
