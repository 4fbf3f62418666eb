import { loadSettings, putSettings } from "../settings/settings.service";
import { ipInCidrs } from "../shared/cidr";
import type { DomainContext } from "../shared/context";

/**
 * Anonymous access to the ctrl-exec face. ctrl-exec leaves every decision to
 * its auth hook; the reference client sends no credentials on GET /discovery
 * and GET /status/{reqid}. Fleetgate denies by default and lets an admin open
 * exactly those actions to exactly those source addresses. Stored as the
 * `ctrl_exec` section of the settings model (settings.service.ts).
 */
export type AnonymousAction = "discovery" | "status" | "ping";
export interface ExecSettings {
  anonymous_actions: AnonymousAction[];
  anonymous_cidrs: string[];
}

/** The current ctrl-exec settings (defaults: nothing anonymous). */
export async function getExecSettings(ctx: Pick<DomainContext, "db" | "keys">): Promise<ExecSettings> {
  return (await loadSettings(ctx)).ctrl_exec;
}

/** Replaces the settings (admin, audited). CIDRs are validated and de-duplicated; order is kept. */
export async function putExecSettings(ctx: DomainContext, input: ExecSettings): Promise<ExecSettings> {
  return (await putSettings(ctx, { ctrl_exec: input })).ctrl_exec;
}

/** May an anonymous caller at `sourceIp` perform `action`? Both the action and the address must be allowed. */
export function anonymousAllowed(s: ExecSettings, action: AnonymousAction, sourceIp: string): boolean {
  return s.anonymous_actions.includes(action) && sourceIp !== "" && ipInCidrs(sourceIp, s.anonymous_cidrs);
}
