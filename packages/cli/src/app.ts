import * as prompts from "@clack/prompts";
import { type Credentials, createFleetgate, type Fleetgate, type Refresher, type Session } from "@fleetgate/sdk";
import { ConfigStore, configDir, fromSession, toSdkCredentials, toSdkSession } from "./config";
import { CliError, EXIT, UsageError } from "./exit-codes";
import { withFileLock } from "./file-lock";
import { colorEnabled, type Io, type Paint, painter } from "./io";
import type { Format } from "./output";
import { VERSION } from "./version";
import { nodeSocket } from "./ws-socket";

/** A stored session another process refreshed is used as is while it has this long left. */
const STILL_FRESH_MS = 60_000;

/** Flags every command understands, wherever they appear. */
export interface Globals {
  context?: string;
  url?: string;
  output?: Format;
  noColor: boolean;
  yes: boolean;
  noInput: boolean;
}

/** Where the command talks to, after flag > env > config > default. */
export interface Target {
  context: string;
  url: string;
  credentials: Credentials | undefined;
  /** Where the credentials came from. */
  source: "env" | "stored" | "none";
}

/** What every command sees: I/O, flags, the config store and a lazily built API client. */
export class App {
  readonly store: ConfigStore;
  readonly paint: Paint;
  readonly colored: boolean;
  private fg: Fleetgate | undefined;
  /** Set by a command that succeeded but must report a non-zero status (e.g. 3: a job had failed hosts). */
  exitCode: number = EXIT.ok;

  constructor(
    readonly io: Io,
    readonly globals: Globals,
    /** Arguments after `--` (script arguments for `run`, the child command for `ci exec`). */
    readonly passthrough: string[] = [],
  ) {
    this.store = new ConfigStore(configDir(io.env));
    this.colored = colorEnabled(io, globals.noColor);
    this.paint = painter(this.colored);
  }

  /** The context name: --context > FLEETGATE_CONTEXT > the current context > "default". */
  contextName(): string {
    return this.globals.context ?? this.io.env.FLEETGATE_CONTEXT ?? this.store.currentContext() ?? "default";
  }

  /** flag > env > config for the URL; FLEETGATE_TOKEN overrides stored credentials. */
  target(): Target {
    const context = this.contextName();
    const url = this.globals.url ?? this.io.env.FLEETGATE_URL ?? this.store.getContext(context)?.url;
    if (!url) {
      throw new CliError(
        `No server configured for context "${context}". Run: fleetgate login --url https://fleet.example.com`,
        EXIT.auth,
      );
    }
    const envToken = this.io.env.FLEETGATE_TOKEN;
    if (envToken)
      return { context, url: normaliseUrl(url), credentials: { kind: "token", token: envToken }, source: "env" };
    const stored = this.store.getCredentials(context);
    return {
      context,
      url: normaliseUrl(url),
      credentials: stored ? toSdkCredentials(stored) : undefined,
      source: stored ? "stored" : "none",
    };
  }

  /** The API client for the target; refreshed sessions are written back to the credentials file. */
  client(target: Target = this.target()): Fleetgate {
    if (this.fg) return this.fg;
    const stored = target.source === "stored" ? this.store.getCredentials(target.context) : undefined;
    const username = stored?.kind === "session" ? stored.username : undefined;
    this.fg = createFleetgate({
      url: target.url,
      credentials: target.credentials,
      webSocket: nodeSocket,
      wsOrigin: this.io.env.FLEETGATE_WS_ORIGIN,
      userAgent: `fleetgate-cli/${VERSION}`,
      onSessionChange: (s) => {
        if (target.source === "env") return;
        this.store.setCredentials(target.context, s ? fromSession(s, username) : undefined);
      },
      ...(target.source === "stored" ? { refreshWith: this.sharedRefresh(target.context, username) } : {}),
    });
    return this.fg;
  }

  /**
   * Refreshes a stored session under the credentials file's lock. Another `fleetgate` process may
   * have refreshed it meanwhile: then its (newer) session is used, or refreshed with its newer token —
   * never the rotated-out one, which the server would treat as theft and end the session.
   */
  private sharedRefresh(context: string, username: string | undefined) {
    return (refresh: Refresher, refreshToken: string): Promise<Session> =>
      withFileLock(`${this.store.credentialsFile}.lock`, async () => {
        const stored = this.store.getCredentials(context);
        if (stored?.kind === "session" && stored.refresh_token !== refreshToken) {
          if (stored.expires_at - Date.now() > STILL_FRESH_MS) return toSdkSession(stored);
          refreshToken = stored.refresh_token;
        }
        const s = await refresh(refreshToken);
        this.store.setCredentials(context, fromSession(s, username));
        return s;
      });
  }

  /** Writes data to stdout. */
  out(text: string): void {
    if (text) this.io.stdout.write(text);
  }

  /** Progress, hints and warnings: stderr only, never mixed into data. */
  info(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Output format: -o > the command's default. */
  format(fallback: Format = "table"): Format {
    return this.globals.output ?? fallback;
  }

  /** Prompts are allowed: stdin and stderr are terminals and neither --no-input nor CI forbid it. */
  get interactive(): boolean {
    return !this.globals.noInput && Boolean(this.io.stdin.isTTY) && this.io.stderrIsTTY && !this.io.env.CI;
  }

  /** Asks before a destructive action; --yes skips it; without a terminal it refuses (exit 2). */
  async confirm(question: string): Promise<void> {
    if (this.globals.yes) return;
    if (!this.interactive) throw new UsageError(`${question} — refusing without --yes (no terminal to ask on)`);
    const ok = await prompts.confirm({ message: question, output: process.stderr, signal: this.io.signal });
    if (prompts.isCancel(ok) || !ok) throw new CliError("Cancelled", EXIT.interrupted);
  }

  /** Reads a value: the flag, else a prompt on a terminal, else a usage error naming the flag. */
  async ask(value: string | undefined, o: { message: string; flag: string; secret?: boolean }): Promise<string> {
    if (value !== undefined && value !== "") return value;
    if (!this.interactive) throw new UsageError(`${o.flag} is required (no terminal to ask on)`);
    const answer = o.secret
      ? await prompts.password({ message: o.message, output: process.stderr, signal: this.io.signal })
      : await prompts.text({ message: o.message, output: process.stderr, signal: this.io.signal });
    if (prompts.isCancel(answer)) throw new CliError("Cancelled", EXIT.interrupted);
    return answer;
  }
}

/** The origin part of a URL the user typed (a trailing path such as /api/v1 is dropped). */
export function normaliseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`not a URL: ${url}`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new UsageError(`not an http(s) URL: ${url}`);
  return u.origin;
}
