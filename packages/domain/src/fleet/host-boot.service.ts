import type { BootInfo } from "@fleetgate/contract";
import { eq } from "drizzle-orm";
import { hostBoot } from "../schema";
import type { DomainContext } from "../shared/context";

/** Records the boot an agent reported in its hello (one row per host, replaced); absent: nothing to record. */
export async function recordHostBoot(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
  boot: BootInfo | undefined,
  now: number,
): Promise<void> {
  await hostBootStatement(ctx, hostId, boot, now)?.run();
}

/** The statement of `recordHostBoot`, for a caller's batch; undefined when there is nothing to record. */
export function hostBootStatement(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
  boot: BootInfo | undefined,
  now: number,
) {
  if (!boot) return undefined;
  const row = { bootId: boot.boot_id, kernel: boot.kernel, bootedAt: boot.booted_at, reportedAt: now };
  return ctx.db
    .insert(hostBoot)
    .values({ hostId, ...row })
    .onConflictDoUpdate({ target: hostBoot.hostId, set: row });
}

/** The host's last reported boot (null: never reported). The caller checked visibility. */
export async function hostBootOf(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
): Promise<{ bootId: string; kernel: string; bootedAt: number; reportedAt: number } | null> {
  const row = await ctx.db.select().from(hostBoot).where(eq(hostBoot.hostId, hostId)).get();
  return row ? { bootId: row.bootId, kernel: row.kernel, bootedAt: row.bootedAt, reportedAt: row.reportedAt } : null;
}
