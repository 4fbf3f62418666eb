import { readFile } from "node:fs/promises";
import path from "node:path";
import { MAX_RESULT_OUTPUT_BYTES, ScriptName } from "@fleetgate/contract/agent";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AgentError, EXIT } from "./exit-codes";

/** One allowlisted script after normalisation. */
export interface ScriptConfig {
  name: string;
  path: string;
  description: string;
  /** Fixed leading arguments, placed before the arguments a command carries. */
  args: string[];
}

/** The validated agent configuration. */
export interface AgentConfig {
  /** Absolute path of the file it was loaded from (or "<inline>"). */
  source: string;
  /** Base URL without a trailing slash, http(s) scheme. */
  server: string;
  /** The allowlist: only these scripts can ever run. A Map, so names like `constructor` never hit Object.prototype. */
  scripts: Map<string, ScriptConfig>;
  tags: Record<string, string>;
  stateDir: string;
  maxTimeoutSeconds: number;
  defaultTimeoutSeconds: number;
  outputCapBytes: number;
  pollIntervalSeconds: number;
  /** Patch management (docs/patching.md); absent or `enabled: false`: the agent reports no inventory. */
  patching?: PatchingConfig;
  /** Reboots (`reboot` jobs, `allow_reboot` patch jobs); disabled unless the config enables them. */
  reboot: RebootConfig;
}

export interface RebootConfig {
  enabled: boolean;
  /** argv of the reboot command (never a shell); tests inject a script that records the call. */
  command: string[];
  /** Where the kernel's boot id is read (changes on every boot). */
  bootIdFile: string;
}

export const DEFAULT_REBOOT_COMMAND = ["systemctl", "reboot"];
export const DEFAULT_BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

export interface PatchingConfig {
  enabled: boolean;
  /** How often the inventory is collected and reported as a diff (the reference's patch_poll_interval_secs). */
  pollIntervalSeconds: number;
  /** Pre-patch package files (root-only). */
  vaultDir: string;
  /** Tests and demos: act on the apt sandbox at this directory (`apt.conf` + `root/`), never on the system. */
  sandboxDir: string | null;
}

export const DEFAULT_STATE_DIR = "/var/lib/fleetgate-agent";

const AbsolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => path.isAbsolute(p), "must be an absolute path")
  .refine((p) => !p.includes("\0"), "must not contain NUL");

const ServerUrl = z
  .string()
  .url()
  .refine((u) => {
    // zod 4 runs refinements even when .url() failed, so the string may not parse.
    if (!URL.canParse(u)) return false;
    const url = new URL(u);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.search && !url.hash && !url.username;
  }, "must be an http(s) URL without query, fragment or credentials");

const Seconds = z.number().int().min(1).max(86_400);

/** Loopback never leaves the machine, so plain http to it is allowed without the explicit flag. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Plain http only to loopback, or with `allow_insecure_http: true` (tokens and proofs would travel in clear). */
function httpAllowed(server: string, allowInsecure: boolean): boolean {
  if (!URL.canParse(server)) return true; // the server's own refinement reports it
  const url = new URL(server);
  return url.protocol !== "http:" || allowInsecure || isLoopbackHost(url.hostname);
}

const ScriptEntry = z.union([
  AbsolutePath,
  z.strictObject({
    path: AbsolutePath,
    description: z.string().max(1000).optional(),
    args: z.array(z.string().max(4096)).max(256).optional(),
  }),
]);

/** The config file schema (JSON or YAML). Unknown keys are refused so typos do not pass silently. */
export const ConfigFile = z
  .strictObject({
    server: ServerUrl,
    allow_insecure_http: z.boolean().default(false),
    scripts: z.record(ScriptName, ScriptEntry).default({}),
    tags: z.record(z.string().min(1).max(64), z.string().max(256)).default({}),
    state_dir: z.string().min(1).max(4096).default(DEFAULT_STATE_DIR),
    max_timeout_seconds: Seconds.default(3600),
    default_timeout_seconds: Seconds.default(60),
    output_cap_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    poll_interval_seconds: Seconds.default(60),
    patching: z
      .strictObject({
        enabled: z.boolean().default(false),
        poll_interval_seconds: z.number().int().min(60).max(604_800).default(1800),
        vault_dir: AbsolutePath.optional(),
        sandbox_dir: AbsolutePath.optional(),
      })
      .optional(),
    reboot: z
      .strictObject({
        enabled: z.boolean().default(false),
        command: z.array(z.string().min(1).max(4096)).min(1).max(32).optional(),
        boot_id_file: AbsolutePath.optional(),
      })
      .optional(),
  })
  .refine((c) => httpAllowed(c.server, c.allow_insecure_http), {
    message: "must be an https:// URL (plain http is allowed only to loopback, or with allow_insecure_http: true)",
    path: ["server"],
  })
  .refine((c) => c.default_timeout_seconds <= c.max_timeout_seconds, {
    message: "must not exceed max_timeout_seconds",
    path: ["default_timeout_seconds"],
  })
  .refine((c) => Object.keys(c.scripts).length <= 1000, { message: "at most 1000 scripts", path: ["scripts"] });

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  ${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("\n");
}

/** Validates an already-parsed config document; `source` is used for messages and relative state_dir. */
export function parseConfig(document: unknown, source: string): AgentConfig {
  const parsed = ConfigFile.safeParse(document);
  if (!parsed.success) {
    throw new AgentError(EXIT.usage, `invalid config ${source}:\n${formatIssues(parsed.error)}`);
  }
  const c = parsed.data;
  const scripts = new Map<string, ScriptConfig>();
  for (const [name, entry] of Object.entries(c.scripts)) {
    scripts.set(
      name,
      typeof entry === "string"
        ? { name, path: entry, description: "", args: [] }
        : { name, path: entry.path, description: entry.description ?? "", args: entry.args ?? [] },
    );
  }
  // A relative state_dir is taken relative to the config file, never to the working directory.
  const base = source === "<inline>" ? process.cwd() : path.dirname(source);
  return {
    source,
    server: c.server.replace(/\/+$/, ""),
    scripts,
    tags: c.tags,
    stateDir: path.resolve(base, c.state_dir),
    maxTimeoutSeconds: c.max_timeout_seconds,
    defaultTimeoutSeconds: c.default_timeout_seconds,
    outputCapBytes: c.output_cap_bytes,
    pollIntervalSeconds: c.poll_interval_seconds,
    patching: c.patching
      ? {
          enabled: c.patching.enabled,
          pollIntervalSeconds: c.patching.poll_interval_seconds,
          vaultDir: c.patching.vault_dir ?? path.join(path.resolve(base, c.state_dir), "vault"),
          sandboxDir: c.patching.sandbox_dir ?? null,
        }
      : undefined,
    reboot: {
      enabled: c.reboot?.enabled ?? false,
      command: c.reboot?.command ?? DEFAULT_REBOOT_COMMAND,
      bootIdFile: c.reboot?.boot_id_file ?? DEFAULT_BOOT_ID_FILE,
    },
  };
}

/** Reads and validates a `.json`, `.yaml` or `.yml` config file. Throws AgentError(EXIT.usage) on any problem. */
export async function loadConfig(file: string): Promise<AgentConfig> {
  const source = path.resolve(file);
  let text: string;
  try {
    text = await readFile(source, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new AgentError(EXIT.usage, `cannot read config ${source}: ${code}`);
  }
  let document: unknown;
  try {
    document = source.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new AgentError(EXIT.usage, `cannot parse config ${source}: ${(error as Error).message}`);
  }
  return parseConfig(document, source);
}

/** Stored outputs in results are capped by the protocol; the streamed output by the config. */
export function storedOutputCap(config: AgentConfig): number {
  return Math.min(config.outputCapBytes, MAX_RESULT_OUTPUT_BYTES);
}
