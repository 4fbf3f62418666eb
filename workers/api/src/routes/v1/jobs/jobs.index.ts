import { createRouter } from "../../../lib/router";
import {
  cancelJobHandler,
  createJobHandler,
  getJobHandler,
  jobOutputHandler,
  listJobsHandler,
  rollbackJobHandler,
} from "./jobs.handlers";
import { cancel, create, get, list, output, rollback } from "./jobs.routes";

/** Native jobs: script and patch jobs, their hosts' output, cancel and rollback. */
export const jobsRouter = createRouter()
  .openapi(create, createJobHandler)
  .openapi(list, listJobsHandler)
  .openapi(get, getJobHandler)
  .openapi(output, jobOutputHandler)
  .openapi(cancel, cancelJobHandler)
  .openapi(rollback, rollbackJobHandler);
