-- The audit chain is append-only and linear: a new entry must name the current
-- head as its prev_hash. Two writers racing for the head abort one batch
-- (the change and its entry roll back together) and the loser retries.
CREATE TRIGGER audit_log_chain_guard
BEFORE INSERT ON audit_log
WHEN NEW.prev_hash IS NOT coalesce(
  (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1),
  '0000000000000000000000000000000000000000000000000000000000000000'
)
BEGIN
  SELECT RAISE(ABORT, 'audit chain conflict');
END;
