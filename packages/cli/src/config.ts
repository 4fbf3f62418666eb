import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { Credentials, Session } from "@fleetgate/sdk";
import { UsageError } from "./exit-codes";

/** A named deployment. */
export interface ContextEntry {
  url: string;
}

interface ConfigFile {
  current_context?: string;
  contexts: Record<string, ContextEntry>;
}

/** What is stored per context in the 0600 credentials file. */
export type StoredCredentials =
  | { kind: "session"; access_token: string; refresh_token: string; expires_at: number; username?: string }
  | { kind: "token"; token: string };

interface CredentialsFile {
  contexts: Record<string, StoredCredentials>;
}

/** `$XDG_CONFIG_HOME/fleetgate` (default `~/.config/fleetgate`). */
export function configDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config");
  return path.join(base, "fleetgate");
}

function readJson<T>(file: string, fallback: T): T {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UsageError(`${file} is not valid JSON; fix or delete it`);
  }
}

/** Writes a file atomically (temp file + rename) with the given mode, so a crash never leaves half a file. */
function writeJson(file: string, value: unknown, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Contexts (config.json) and their credentials (credentials.json, mode 0600). */
export class ConfigStore {
  readonly configFile: string;
  readonly credentialsFile: string;

  constructor(dir: string) {
    this.configFile = path.join(dir, "config.json");
    this.credentialsFile = path.join(dir, "credentials.json");
  }

  private config(): ConfigFile {
    const c = readJson<ConfigFile>(this.configFile, { contexts: {} });
    return { current_context: c.current_context, contexts: c.contexts ?? {} };
  }

  private credentials(): CredentialsFile {
    const c = readJson<CredentialsFile>(this.credentialsFile, { contexts: {} });
    return { contexts: c.contexts ?? {} };
  }

  currentContext(): string | undefined {
    return this.config().current_context;
  }

  contexts(): Record<string, ContextEntry> {
    return this.config().contexts;
  }

  getContext(name: string): ContextEntry | undefined {
    return this.config().contexts[name];
  }

  setContext(name: string, entry: ContextEntry, makeCurrent: boolean): void {
    if (!NAME.test(name)) throw new UsageError(`invalid context name "${name}" (letters, digits, . _ -)`);
    const c = this.config();
    c.contexts[name] = entry;
    if (makeCurrent || !c.current_context) c.current_context = name;
    writeJson(this.configFile, c, 0o644);
  }

  useContext(name: string): void {
    const c = this.config();
    if (!c.contexts[name]) throw new UsageError(`no context "${name}" (see: fleetgate context list)`);
    c.current_context = name;
    writeJson(this.configFile, c, 0o644);
  }

  removeContext(name: string): boolean {
    const c = this.config();
    if (!c.contexts[name]) return false;
    delete c.contexts[name];
    if (c.current_context === name) c.current_context = Object.keys(c.contexts)[0];
    writeJson(this.configFile, c, 0o644);
    this.setCredentials(name, undefined);
    return true;
  }

  getCredentials(name: string): StoredCredentials | undefined {
    return this.credentials().contexts[name];
  }

  setCredentials(name: string, creds: StoredCredentials | undefined): void {
    const c = this.credentials();
    if (creds) c.contexts[name] = creds;
    else if (c.contexts[name]) delete c.contexts[name];
    else return;
    writeJson(this.credentialsFile, c, 0o600);
  }
}

/** Stored credentials as the SDK takes them. */
export function toSdkCredentials(s: StoredCredentials): Credentials {
  return s.kind === "token" ? { kind: "token", token: s.token } : { kind: "session", ...toSdkSession(s) };
}

/** A stored session as the SDK's Session. */
export function toSdkSession(s: Extract<StoredCredentials, { kind: "session" }>): Session {
  return { accessToken: s.access_token, refreshToken: s.refresh_token, expiresAt: s.expires_at };
}

/** A refreshed session as stored. */
export function fromSession(s: Session, username?: string): StoredCredentials {
  return {
    kind: "session",
    access_token: s.accessToken,
    refresh_token: s.refreshToken,
    expires_at: s.expiresAt,
    ...(username ? { username } : {}),
  };
}
