import { eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { settings } from "../schema";
import { ipInCidrs, parseCidr } from "../shared/cidr";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";

/**
 * Anonymous access to the ctrl-exec face. ctrl-exec leaves every decision to
 * its auth hook; the reference client sends no credentials on GET /discovery
 * and GET /status/{reqid}. Fleetgate denies by default and lets an admin open
 * exactly those actions to exactly those source addresses.
 */
export type AnonymousAction = "discovery" | "status" | "ping";
export interface ExecSettings {
  anonymous_actions: AnonymousAction[];
  anonymous_cidrs: string[];
}

const KEY = "ctrl-exec";
const DEFAULTS: ExecSettings = { anonymous_actions: [], anonymous_cidrs: [] };
const ACTIONS: ReadonlySet<string> = new Set(["discovery", "status", "ping"]);

function normalise(value: Record<string, unknown> | undefined): ExecSettings {
  if (!value) return { ...DEFAULTS };
  const actions = Array.isArray(value.anonymous_actions) ? value.anonymous_actions : [];
  const cidrs = Array.isArray(value.anonymous_cidrs) ? value.anonymous_cidrs : [];
  return {
    anonymous_actions: actions.filter((a): a is AnonymousAction => typeof a === "string" && ACTIONS.has(a)),
    anonymous_cidrs: cidrs.filter((c): c is string => typeof c === "string"),
  };
}

/** The current ctrl-exec settings (defaults: nothing anonymous). */
export async function getExecSettings(ctx: Pick<DomainContext, "db">): Promise<ExecSettings> {
  const row = await ctx.db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).get();
  return normalise(row?.value);
}

/** Replaces the settings (admin, audited). CIDRs are validated and de-duplicated; order is kept. */
export async function putExecSettings(ctx: DomainContext, input: ExecSettings): Promise<ExecSettings> {
  for (const c of input.anonymous_cidrs) {
    if (!parseCidr(c)) throw new DomainError("common.validation", `anonymous_cidrs: invalid CIDR "${c}"`);
  }
  const value: ExecSettings = {
    anonymous_actions: [...new Set(input.anonymous_actions)],
    anonymous_cidrs: [...new Set(input.anonymous_cidrs)],
  };
  const now = ctx.now();
  await commitAudited(
    ctx,
    [
      ctx.db
        .insert(settings)
        .values({ key: KEY, value: { ...value }, updatedBy: ctx.actor?.id ?? null, updatedAt: now })
        .onConflictDoUpdate({
          target: settings.key,
          set: { value: { ...value }, updatedBy: ctx.actor?.id ?? null, updatedAt: now },
        }),
    ],
    { action: "settings.update", targetType: "setting", targetId: KEY, detail: { ...value } },
  );
  return value;
}

/** May an anonymous caller at `sourceIp` perform `action`? Both the action and the address must be allowed. */
export function anonymousAllowed(s: ExecSettings, action: AnonymousAction, sourceIp: string): boolean {
  return s.anonymous_actions.includes(action) && sourceIp !== "" && ipInCidrs(sourceIp, s.anonymous_cidrs);
}
