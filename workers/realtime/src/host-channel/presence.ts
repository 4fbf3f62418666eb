import { recordAgentPresence } from "@fleetgate/domain";
import type { DomainAccess } from "../shared/domain-access";

/**
 * The channel's `meta` (host id and name, whether D1 last recorded the host
 * online) and the D1 presence updates made from it.
 */
export class Presence {
  constructor(
    private readonly sql: SqlStorage,
    private readonly domain: DomainAccess,
  ) {}

  migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
  }

  get(key: "host_id" | "host_name" | "online"): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  set(key: "host_id" | "host_name" | "online", value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
      key,
      value,
      value,
    );
  }

  /** The host this channel serves, in one statement that writes nothing when it is unchanged (a reconnect). */
  remember(hostId: string, hostName: string): void {
    this.sql.exec(
      `INSERT INTO meta (key, value) VALUES ('host_id', ?), ('host_name', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value IS NOT excluded.value`,
      hostId,
      hostName,
    );
  }

  /** D1 says online (last_seen_at refreshed). */
  async markOnline(hostId: string, now: number): Promise<void> {
    await recordAgentPresence(await this.domain.context(), hostId, true, now);
    this.set("online", "1");
  }

  /** D1 says offline, if it said online. */
  async markOffline(): Promise<void> {
    const hostId = this.get("host_id");
    if (!hostId || this.get("online") !== "1") return;
    await recordAgentPresence(await this.domain.context(), hostId, false, Date.now());
    this.set("online", "0");
  }
}
