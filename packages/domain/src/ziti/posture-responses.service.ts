import { and, eq } from "drizzle-orm";
import type { ApiSessionRow } from "../identity/api-sessions.service";
import { zitiPostureChecks, zitiPostureResponses } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { servicesFor } from "./service-access.service";

/** One posture response as the SDK sends it (`id` = the posture query id = our posture check id). */
export type PostureResponseInput =
  | { typeId: "OS"; id: string; type: string; version: string; build?: string | undefined }
  | {
      typeId: "PROCESS";
      id: string;
      path?: string | undefined;
      isRunning?: boolean | undefined;
      hash?: string | undefined;
      signerFingerprints?: string[] | undefined;
    }
  | { typeId: "DOMAIN"; id: string; domain: string }
  | { typeId: "MAC"; id: string; macAddresses: string[] }
  | { typeId: "ENDPOINT_STATE"; id: string; unlocked?: boolean | undefined; woken?: boolean | undefined };

/** Where ENDPOINT_STATE (wake/unlock) is kept: it belongs to the session, not to one check. */
const ENDPOINT_STATE = "endpoint-state";

/**
 * Records posture responses for an API session (kept until it ends) and
 * answers with the services whose MFA posture queries time out, as
 * `POST /posture-response[-bulk]` does.
 */
export async function submitPostureResponses(
  ctx: DomainContext,
  session: ApiSessionRow,
  inputs: PostureResponseInput[],
) {
  const checks = await ctx.db
    .select({ id: zitiPostureChecks.id, typeId: zitiPostureChecks.typeId })
    .from(zitiPostureChecks);
  const byId = new Map(checks.map((c) => [c.id, c]));
  const now = ctx.now();
  const writes = [];
  for (const input of inputs) {
    const checkId = input.typeId === "ENDPOINT_STATE" ? ENDPOINT_STATE : input.id;
    if (input.typeId !== "ENDPOINT_STATE" && !byId.has(input.id))
      throw new DomainError("common.not_found", `posture query ${input.id} not found`);
    let data: Record<string, unknown> = { ...input };
    if (input.typeId === "PROCESS") {
      // Several processes of a PROCESS_MULTI check arrive as separate responses: keep them by path.
      const prev = await ctx.db
        .select({ data: zitiPostureResponses.data })
        .from(zitiPostureResponses)
        .where(and(eq(zitiPostureResponses.apiSessionId, session.id), eq(zitiPostureResponses.checkId, checkId)))
        .get();
      const processes = { ...((prev?.data.processes as Record<string, unknown> | undefined) ?? {}) };
      processes[input.path ?? ""] = input;
      data = { processes };
    }
    writes.push(
      ctx.db
        .insert(zitiPostureResponses)
        .values({ apiSessionId: session.id, checkId, typeId: input.typeId, data, updatedAt: now })
        .onConflictDoUpdate({
          target: [zitiPostureResponses.apiSessionId, zitiPostureResponses.checkId],
          set: { typeId: input.typeId, data, updatedAt: now },
        }),
    );
  }
  const [first, ...rest] = writes;
  if (first) await ctx.db.batch([first, ...rest]);
  const services = await servicesFor(ctx, session);
  return services.flatMap((v) =>
    v.postureQueries
      .flatMap((p) => p.postureQueries)
      .filter((q) => q.queryType === "MFA")
      .map((q) => ({
        id: v.service.id,
        name: v.service.name,
        postureQueryType: q.queryType,
        timeout: q.timeout,
        timeoutRemaining: q.timeoutRemaining,
      })),
  );
}
