import type { webcrypto } from "node:crypto";
import { readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { type CertInfo, parseCertificate } from "./cert";
import { ensurePrivateDir, fsyncDir, writeFileDurable } from "./fs-atomic";
import { importPrivateKey } from "./keys";

type CryptoKey = webcrypto.CryptoKey;

/** identity.json: who this host is to the server. */
export const Identity = z.object({
  /** The identity id from the enrollment token (`sub`); null for self-enrolled hosts until the server names it. */
  identity_id: z.string().nullable(),
  /** The host id and registry name the server sent in its last `welcome`. */
  host_id: z.string().optional(),
  host_name: z.string().optional(),
  server: z.string(),
  method: z.enum(["ott", "request"]),
  enrolled_at: z.string(),
});
export type Identity = z.infer<typeof Identity>;

/** enrollment.json: a self-enrollment request that is still waiting for approval. */
export const PendingEnrollment = z.object({
  server: z.string(),
  polling_token: z.string(),
  common_name: z.string(),
  requested_at: z.string(),
});
export type PendingEnrollment = z.infer<typeof PendingEnrollment>;

/** The host key and its certificate, loaded and checked to belong together. */
export interface Credentials {
  keyPem: string;
  certPem: string;
  caPem: string;
  privateKey: CryptoKey;
  cert: CertInfo;
}

const CREDENTIAL_FILES = ["key.pem", "cert.pem", "ca.pem"] as const;
const SWAP_MARKER = "swap.ready";

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The agent's state directory (mode 0700): key.pem (0600), cert.pem, ca.pem,
 * identity.json, commands.json, and enrollment.json / pending-key.pem while a
 * self-enrollment waits for approval.
 */
export class StateDir {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Creates the directory with mode 0700, finishes or discards an interrupted credential swap, removes stale temp files. */
  async prepare(): Promise<void> {
    await ensurePrivateDir(this.dir);
    await this.recoverSwap();
    for (const name of await readdir(this.dir)) {
      // Left by a crash inside writeFileDurable (before its rename); never a live file.
      if (/\.tmp-\d+-[0-9a-z]+$/.test(name)) await rm(this.file(name), { force: true });
    }
  }

  async readIdentity(): Promise<Identity | null> {
    const text = await readOptional(this.file("identity.json"));
    if (text === null) return null;
    const parsed = Identity.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.file("identity.json")} is not a valid identity file`);
    return parsed.data;
  }

  async writeIdentity(identity: Identity): Promise<void> {
    await writeFileDurable(this.file("identity.json"), `${JSON.stringify(identity, null, 2)}\n`, 0o600);
  }

  async readPending(): Promise<{ pending: PendingEnrollment; keyPem: string } | null> {
    const text = await readOptional(this.file("enrollment.json"));
    const keyPem = await readOptional(this.file("pending-key.pem"));
    if (text === null || keyPem === null) return null;
    const parsed = PendingEnrollment.safeParse(JSON.parse(text));
    return parsed.success ? { pending: parsed.data, keyPem } : null;
  }

  /** Persists the key first, then the request: a request file never exists without its key. */
  async writePending(pending: PendingEnrollment, keyPem: string): Promise<void> {
    await writeFileDurable(this.file("pending-key.pem"), keyPem, 0o600);
    await writeFileDurable(this.file("enrollment.json"), `${JSON.stringify(pending, null, 2)}\n`, 0o600);
  }

  async clearPending(): Promise<void> {
    await rm(this.file("enrollment.json"), { force: true });
    await rm(this.file("pending-key.pem"), { force: true });
  }

  /** True when a key and a certificate are present (they may still fail to load). */
  async isEnrolled(): Promise<boolean> {
    return (await exists(this.file("key.pem"))) && (await exists(this.file("cert.pem")));
  }

  /** Loads key + certificate + CA, checking that the certificate certifies this key; null when not enrolled. */
  async loadCredentials(): Promise<Credentials | null> {
    const keyPem = await readOptional(this.file("key.pem"));
    const certPem = await readOptional(this.file("cert.pem"));
    if (keyPem === null || certPem === null) return null;
    const caPem = (await readOptional(this.file("ca.pem"))) ?? "";
    const { privateKey, spki } = await importPrivateKey(keyPem);
    const cert = parseCertificate(certPem);
    if (!cert.spki.equals(spki)) throw new Error("cert.pem does not certify key.pem");
    return { keyPem, certPem, caPem, privateKey, cert };
  }

  /**
   * Replaces key.pem, cert.pem and ca.pem as one unit. New files are written and fsynced
   * as `*.new`; creating `swap.ready` is the commit point; then each is renamed into place
   * and the marker removed. `prepare()` completes a swap whose marker exists and discards
   * `*.new` files without one, so a crash never leaves a key paired with another key's cert.
   */
  async installCredentials(files: { keyPem: string; certPem: string; caPem: string }): Promise<void> {
    await ensurePrivateDir(this.dir);
    await this.recoverSwap();
    const content: Record<(typeof CREDENTIAL_FILES)[number], string> = {
      "key.pem": files.keyPem,
      "cert.pem": files.certPem,
      "ca.pem": files.caPem,
    };
    for (const name of CREDENTIAL_FILES) {
      await writeFileDurable(this.file(`${name}.new`), content[name], name === "key.pem" ? 0o600 : 0o644);
    }
    await writeFileDurable(this.file(SWAP_MARKER), `${new Date().toISOString()}\n`, 0o600);
    await this.completeSwap();
  }

  private async completeSwap(): Promise<void> {
    for (const name of CREDENTIAL_FILES) {
      if (await exists(this.file(`${name}.new`))) await rename(this.file(`${name}.new`), this.file(name));
    }
    await fsyncDir(this.dir);
    await rm(this.file(SWAP_MARKER), { force: true });
    await fsyncDir(this.dir);
  }

  private async recoverSwap(): Promise<void> {
    if (await exists(this.file(SWAP_MARKER))) {
      await this.completeSwap();
      return;
    }
    for (const name of CREDENTIAL_FILES) await rm(this.file(`${name}.new`), { force: true });
  }
}
