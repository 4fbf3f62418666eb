import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ms } from "./columns";
import { hosts } from "./fleet";

/**
 * The boot a host's agent last reported in its hello (docs/patching.md "Reboots"): the kernel's
 * boot id (new on every boot), the running kernel (`uname -r`) and when the host booted. No row:
 * the agent never reported one (too old, or its boot id is unreadable).
 */
export const hostBoot = sqliteTable("host_boot", {
  hostId: text("host_id")
    .primaryKey()
    .references(() => hosts.id, { onDelete: "cascade" }),
  bootId: text("boot_id").notNull(),
  kernel: text("kernel").notNull(),
  bootedAt: ms("booted_at").notNull(),
  reportedAt: ms("reported_at").notNull(),
});
