import { constants } from "node:fs";
import { chmod, mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

/** Flushes a directory entry table so a rename survives a crash (POSIX: fsync the directory). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `file` durably: a sibling temp file (created with `mode`), fsync, then rename over `file`. */
export async function writeFileDurable(file: string, data: string, mode: number, options: { rename?: boolean } = {}) {
  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  // O_EXCL: never follow or reuse something someone else placed at the temp name.
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(data, "utf8");
    await handle.chmod(mode); // the umask may have narrowed or widened nothing, but be exact
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  if (options.rename === false) return tmp;
  await rename(tmp, file);
  await fsyncDir(path.dirname(file));
  return file;
}

/** Creates `dir` (and parents) and forces mode 0700 on it. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory`);
  if ((info.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}
