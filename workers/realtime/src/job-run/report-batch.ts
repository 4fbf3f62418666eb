import { HostReport } from "@fleetgate/contract";
import { z } from "zod";
import { OUTBOX_BATCH } from "../shared/durable-outbox";

/** A HostChannel's batch of reports to one job (`JobRun.reportMany`): 1..OUTBOX_BATCH, in outbox order. */
export const HostReports = z.array(HostReport).min(1).max(OUTBOX_BATCH);
