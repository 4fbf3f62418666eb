import { auditSequencerStub, logAt } from "@fleetgate/domain";
import type { Bindings } from "../context";

/** At most one wake-up call per isolate in this window; the sequencer keeps looking while entries arrive. */
const WAKE_EVERY_MS = 250;
let lastWake = 0;

/**
 * Wakes the audit sequencer after an audited write, off the request path
 * (`waitUntil`). Best effort: a lost wake-up only delays sealing until the
 * sequencer's next alarm or the cron sweep (docs/auth.md, the unsealed window).
 */
export function wakeLedger(env: Bindings, ctx: Pick<ExecutionContext, "waitUntil">): void {
  const now = Date.now();
  if (now - lastWake < WAKE_EVERY_MS) return;
  lastWake = now;
  ctx.waitUntil(
    auditSequencerStub(env.AUDIT_LEDGER)
      .wake()
      .catch((err: unknown) => logAt(env.LOG_LEVEL, "warn", "audit sequencer wake failed", { error: String(err) })),
  );
}
