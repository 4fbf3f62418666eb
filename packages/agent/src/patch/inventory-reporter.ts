import { readFile } from "node:fs/promises";
import path from "node:path";
import { type AgentMessage, InstalledPackage, type Inventory } from "@fleetgate/contract/agent";
import { z } from "zod";
import type { PatchingConfig } from "../config";
import { writeFileDurable } from "../fs-atomic";
import type { Logger } from "../log";
import { collectInventory, diffInventory, packagesHash } from "./inventory";
import type { PackageBackend } from "./package-backend";
import type { PackageEnv } from "./package-env";

/** inventory-base.json: the package set the server acknowledged last (diffs are against it). */
const Base = z.object({ hash: z.string(), packages: z.array(InstalledPackage) });
type Base = z.infer<typeof Base>;

/** Refresh the package lists first: always, never, or when they are older than a day. */
export type UpdateLists = boolean | "if-stale";
const mergeLists = (a: UpdateLists, b: UpdateLists): UpdateLists =>
  a === true || b === true ? true : a === "if-stale" || b === "if-stale" ? "if-stale" : false;

/** Package lists older than this are refreshed (`apt-get update`) before a scheduled report. */
const STALE_LISTS_SECS = 24 * 3600;

export interface InventoryReporterOptions {
  config: PatchingConfig;
  stateDir: string;
  logger: Logger;
  send: (frame: AgentMessage) => Promise<boolean>;
  backend: PackageBackend;
  env: PackageEnv;
}

/**
 * The inventory reports (docs/patching.md, "Inventory"): one at a time, a diff against the base
 * the server acknowledged when it holds the same one, the whole inventory otherwise.
 */
export class InventoryReporter {
  /** The hash the server said it holds (welcome / last ack). */
  private serverHash: string | null = null;
  private tail: Promise<void> = Promise.resolve();
  /** The report that has not started yet (later requests join it). */
  private queued: Promise<void> | null = null;
  private queuedLists: UpdateLists = false;
  /** What the last report sent, until the server acknowledges it. */
  private sent: { hash: string; inventory: Inventory } | null = null;

  constructor(private readonly options: InventoryReporterOptions) {}

  private get log(): Logger {
    return this.options.logger;
  }
  private get baseFile(): string {
    return path.join(this.options.stateDir, "inventory-base.json");
  }

  /** After `welcome`: the server holds `hash` (null: nothing). */
  serverHolds(hash: string | null): void {
    this.serverHash = hash;
  }

  /** `inventory_ack`: remember what the server holds; send everything when it could not use a diff. */
  async onAck(hash: string | null, fullNeeded: boolean): Promise<void> {
    const sent = this.sent;
    if (fullNeeded || hash === null) {
      this.serverHash = null;
      if (sent) await this.options.send({ type: "inventory", inventory: sent.inventory });
      return;
    }
    this.serverHash = hash;
    if (sent && sent.hash === hash) {
      this.sent = null;
      await this.saveBase({ hash, packages: sent.inventory.packages });
    }
  }

  /**
   * Collects and sends one report that starts after this call; reports run one at a time and
   * requests made while one waits to start share it (`updateLists` if any of them asked).
   */
  report(opts: { updateLists: UpdateLists }): Promise<void> {
    if (!this.options.config.enabled) return Promise.resolve();
    if (this.queued) {
      this.queuedLists = mergeLists(this.queuedLists, opts.updateLists);
      return this.queued;
    }
    this.queuedLists = opts.updateLists;
    const run = this.tail.then(async () => {
      this.queued = null;
      try {
        await this.reportOnce({ updateLists: this.queuedLists });
      } catch (error) {
        this.log.warn("inventory report failed", { error });
      }
    });
    this.queued = run;
    this.tail = run;
    return run;
  }

  private async reportOnce(opts: { updateLists: UpdateLists }): Promise<void> {
    const { backend } = this.options;
    if (opts.updateLists !== false) {
      const stale = opts.updateLists === "if-stale" ? await this.listsStale() : true;
      if (stale) {
        try {
          await backend.updateLists();
        } catch (error) {
          // The report still goes out, from the lists the host has (their age is part of it).
          this.log.warn("refreshing the package lists failed", { error });
        }
      }
    }
    const inventory = await collectInventory(backend, this.options.env);
    const hash = packagesHash(inventory.packages);
    this.sent = { hash, inventory };
    const base = await this.loadBase();
    if (base && this.serverHash !== null && base.hash === this.serverHash) {
      await this.options.send({ type: "inventory_diff", diff: diffInventory(base.packages, inventory) });
    } else {
      await this.options.send({ type: "inventory", inventory });
    }
    this.log.info("inventory reported", {
      packages: inventory.packages.length,
      updates: inventory.updates.length,
      reboot_required: inventory.reboot_required,
    });
  }

  private async listsStale(): Promise<boolean> {
    const refreshed = await this.options.backend.listsRefreshedAt();
    return refreshed === null || Date.now() - refreshed > STALE_LISTS_SECS * 1000;
  }

  private async loadBase(): Promise<Base | null> {
    try {
      const parsed = Base.safeParse(JSON.parse(await readFile(this.baseFile, "utf8")));
      return parsed.success && packagesHash(parsed.data.packages) === parsed.data.hash ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async saveBase(base: Base): Promise<void> {
    try {
      await writeFileDurable(this.baseFile, JSON.stringify(base), 0o600);
    } catch (error) {
      this.log.warn("could not store the acknowledged inventory; the next report is whole", { error });
    }
  }
}
