import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./jobs.handlers";
import * as r from "./jobs.routes";

/** Native jobs: script and patch jobs, their hosts' output, cancel and rollback. */
export const jobsRouter = routerOf(
  op(r.create, h.createJobHandler),
  op(r.list, h.listJobsHandler),
  op(r.get, h.getJobHandler),
  op(r.output, h.jobOutputHandler),
  op(r.cancel, h.cancelJobHandler),
  op(r.rollback, h.rollbackJobHandler),
);
