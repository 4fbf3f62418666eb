import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./enrollments.handlers";
import * as r from "./enrollments.routes";

/** Admin-created enrollments: `/api/v1/enrollments`. */
export const enrollmentsRouter = routerOf(
  op(r.createEnrollment, h.createEnrollment),
  op(r.listEnrollments, h.listEnrollments),
  op(r.deleteEnrollment, h.deleteEnrollment),
);

/** Self-enrollment (public): `/api/v1/enroll`, `/api/v1/enroll/status/{token}`. */
export const selfEnrollRouter = routerOf(op(r.selfEnroll, h.selfEnroll), op(r.enrollStatus, h.enrollStatus));

/** The approval queue: `/api/v1/admin/enrollments`. Approve/deny answer bare status codes as the reference does. */
export const approvalRouter = routerOf(op(r.listPending, h.listPending), op(r.approve, h.approve), op(r.deny, h.deny));
