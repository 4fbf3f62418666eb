import type { AgentCrlReport, BootInfo } from "@fleetgate/contract";
import type { BatchItem } from "drizzle-orm/batch";
import { inventoryHashQuery } from "../patching/inventory.service";
import { hostCrlRow, hostCrlStatement } from "../reports/host-crl.service";
import type { DomainContext } from "../shared/context";
import { hostBootStatement } from "./host-boot.service";
import { type AgentHello, agentHelloStatements } from "./hosts.service";

/** Everything an agent's `hello` reports that the registry records. */
export interface AgentConnectReport extends AgentHello {
  /** The CRL the agent holds; absent: an agent too old to report (the host reads not_reporting). */
  crl: AgentCrlReport | undefined;
  /** The boot it runs in; absent: nothing to record. */
  boot: BootInfo | undefined;
}

/**
 * Records an agent's hello — the host online with its version, OS, tags and scripts
 * (`recordAgentHello`), its CRL report (`recordHostCrl`) and boot (`recordHostBoot`) — and
 * returns the inventory hash the server holds (`hostInventoryHash`, for the `welcome` frame),
 * all in ONE D1 batch: one round trip per connect instead of three or four. A held CRL is
 * judged against the newest CRL number first (one read more). The batch is one transaction:
 * the hello is recorded whole or not at all.
 */
export async function recordAgentConnect(
  ctx: DomainContext,
  hostId: string,
  report: AgentConnectReport,
  now: number,
): Promise<string | null> {
  const crl = await hostCrlRow(ctx, hostId, report.crl, now);
  const hash = inventoryHashQuery(ctx.db, hostId);
  const boot = hostBootStatement(ctx, hostId, report.boot, now);
  const writes: BatchItem<"sqlite">[] = [
    ...agentHelloStatements(ctx.db, hostId, report, now),
    hostCrlStatement(ctx.db, hostId, crl),
    ...(boot ? [boot] : []),
  ];
  const [held] = await ctx.db.batch([hash, ...writes] as const);
  return held[0]?.hash ?? null;
}
