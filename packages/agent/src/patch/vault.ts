import { createHash } from "node:crypto";
import { copyFile, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { VaultEntry } from "@fleetgate/contract/agent";
import { z } from "zod";
import { ensurePrivateDir, writeFileDurable } from "../fs-atomic";

/** sha256 of a file, hex. */
export async function sha256File(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

const Journal = z.object({
  job_id: z.string(),
  created_at: z.number(),
  /** Packages the patch changed: before → after (before null: added; after null: removed). */
  changes: z.array(
    z.object({ name: z.string(), arch: z.string(), before: z.string().nullable(), after: z.string().nullable() }),
  ),
  vault: z.array(
    z.object({
      name: z.string(),
      arch: z.string(),
      version: z.string(),
      file: z.string(),
      sha256: z.string(),
      origin: z.enum(["download", "cache", "repack"]),
    }),
  ),
});
export type Journal = z.infer<typeof Journal>;

/**
 * The agent's vault: pre-patch package files kept with their sha256 (directory 0700), and one
 * journal per patch job recording what it changed, so a rollback restores exactly those versions.
 */
export class Vault {
  constructor(readonly dir: string) {}

  private get files(): string {
    return path.join(this.dir, "files");
  }
  private journalPath(jobId: string): string {
    if (!/^[\w.-]{1,128}$/.test(jobId)) throw new Error("invalid job id for the vault");
    return path.join(this.dir, "jobs", `${jobId}.json`);
  }

  async init(): Promise<void> {
    await ensurePrivateDir(this.dir);
    await ensurePrivateDir(this.files);
    await ensurePrivateDir(path.join(this.dir, "jobs"));
    await ensurePrivateDir(path.join(this.dir, "incoming"));
  }

  /** A scratch directory for downloads that end up in the vault. */
  get incoming(): string {
    return path.join(this.dir, "incoming");
  }

  /** Moves (or copies) a package file into the vault under a canonical name and records its hash. */
  async store(
    src: string,
    meta: { name: string; arch: string; version: string; origin: VaultEntry["origin"] },
    opts: { move: boolean },
  ): Promise<VaultEntry> {
    const base = `${meta.name}_${meta.version.replace(/:/g, "%3a")}_${meta.arch}${path.extname(src) || ".deb"}`;
    const dest = path.join(this.files, base);
    if (opts.move) await rename(src, dest);
    else await copyFile(src, dest);
    return { ...meta, file: dest, sha256: await sha256File(dest) };
  }

  /** True when the vault file still has its recorded hash (apt does not verify local .debs). */
  async verify(entry: VaultEntry): Promise<boolean> {
    try {
      return (await sha256File(entry.file)) === entry.sha256;
    } catch {
      return false;
    }
  }

  async writeJournal(journal: Journal): Promise<void> {
    await writeFileDurable(this.journalPath(journal.job_id), JSON.stringify(journal), 0o600);
  }

  async readJournal(jobId: string): Promise<Journal | null> {
    try {
      return Journal.parse(JSON.parse(await readFile(this.journalPath(jobId), "utf8")));
    } catch {
      return null;
    }
  }

  async clearIncoming(): Promise<void> {
    await rm(this.incoming, { recursive: true, force: true });
    await ensurePrivateDir(this.incoming);
  }
}
