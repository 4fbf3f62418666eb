-- The ctrl-exec lock ("the same script is already running on a host") made
-- atomic: the check and the job insert are one D1 batch, and this trigger
-- aborts the batch when another job already holds the host for that script.
CREATE TRIGGER job_hosts_script_lock
BEFORE INSERT ON job_hosts
WHEN NEW.status IN ('pending', 'dispatched', 'running')
  AND EXISTS (
    SELECT 1 FROM job_hosts jh JOIN jobs j ON j.id = jh.job_id
    WHERE jh.host_id = NEW.host_id
      AND jh.job_id <> NEW.job_id
      AND jh.status IN ('pending', 'dispatched', 'running')
      AND j.kind = 'script'
      AND j.script = (SELECT script FROM jobs WHERE id = NEW.job_id)
  )
  AND (SELECT kind FROM jobs WHERE id = NEW.job_id) = 'script'
BEGIN
  SELECT RAISE(ABORT, 'script locked');
END;
