import type { DomainContext } from "../shared/context";
import { bump } from "../shared/rate-limit";

/** Anonymous refusals written to the audit chain per minute, across all callers. */
export const ANONYMOUS_REFUSAL_BUDGET = 600;

/** Counts one anonymous refusal; false once this minute's global budget is spent. */
export async function withinAnonymousRefusalBudget(ctx: DomainContext): Promise<boolean> {
  return (await bump(ctx, "audit:anonymous-refusals", 60)) <= ANONYMOUS_REFUSAL_BUDGET;
}
