import { sql } from "drizzle-orm";
import type { Database } from "../db";
import { auditLog } from "../schema";
import type { JobRow } from "./jobs.query";

/**
 * The clearly named outcome events of patch work, recorded once as audit entries when the job's
 * final state is written back (notifications key on these actions):
 *  - `patch.job_failed`: a `patch_apply` or `patch_remove` job ended `failed`;
 *  - `patch.rollback_performed`: a `rollback` job ended (outcome success when it succeeded);
 *  - `patch.reboot_performed`: a `reboot` job ended (outcome success when every host came back with a new boot id).
 * The statement inserts nothing for other kinds or states, nor when the entry already exists.
 */
export const PATCH_JOB_FAILED = "patch.job_failed";
export const PATCH_ROLLBACK_PERFORMED = "patch.rollback_performed";
export const PATCH_REBOOT_PERFORMED = "patch.reboot_performed";

export function patchOutcomeEvent(db: Database, jobId: string, status: JobRow["status"], at: number) {
  const id = crypto.randomUUID();
  // INSERT … SELECT names every column of audit_log in declaration order (seq NULL = next rowid).
  return db.insert(auditLog).select(sql`
    SELECT NULL, ${id}, ${at}, NULL, NULL, NULL,
           CASE j.kind WHEN 'rollback' THEN ${PATCH_ROLLBACK_PERFORMED} WHEN 'reboot' THEN ${PATCH_REBOOT_PERFORMED}
                       ELSE ${PATCH_JOB_FAILED} END,
           'job', j.id, NULL, NULL,
           CASE WHEN ${status} = 'succeeded' THEN 'success' ELSE 'failure' END,
           json_object('kind', j.kind, 'status', ${status}, 'host_count', j.host_count,
                       'parent_job_id', (SELECT p.parent_job_id FROM patch_jobs p WHERE p.job_id = j.id)),
           NULL, NULL, NULL
    FROM jobs j
    WHERE j.id = ${jobId}
      AND ((j.kind IN ('patch_apply', 'patch_remove') AND ${status} = 'failed')
           OR (j.kind IN ('rollback', 'reboot') AND ${status} IN ('succeeded', 'failed')))
      AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target_id = j.id
                      AND a.action IN (${PATCH_JOB_FAILED}, ${PATCH_ROLLBACK_PERFORMED}, ${PATCH_REBOOT_PERFORMED}))`);
}
