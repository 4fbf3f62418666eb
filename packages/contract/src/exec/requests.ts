import { z } from "@hono/zod-openapi";

/**
 * The ctrl-exec request bodies (ctrl-exec.md §3–§5), as `Exec::API` validates
 * them: the same schemas validate in the face and generate `/openapi.json`.
 * Each failure carries ctrl-exec's fixed 400 text, and the first failing field
 * in ctrl-exec's order (hosts → script → args) is the one answered: type checks
 * run before the limits (a `preprocess` step), as in `_handle_run`.
 */

/** Largest fan-out of one request (ctrl-exec `max_hosts`). */
export const EXEC_MAX_HOSTS = 500;
/** Most arguments to one script, and the longest argument (characters). */
export const EXEC_MAX_ARGS = 256;
export const EXEC_MAX_ARG_CHARS = 4096;
/** Longest script name. */
export const EXEC_MAX_SCRIPT_CHARS = 100;

export const EXEC_TEXTS = {
  hosts: "hosts must be a non-empty array",
  tooManyHosts: `too many hosts (max ${EXEC_MAX_HOSTS})`,
  script: "script name required (alphanumeric and hyphens only)",
  args: "args must be an array",
  argsStrings: "args must be an array of strings",
  tooManyArgs: `too many args (max ${EXEC_MAX_ARGS})`,
  argTooLong: `argument too long (max ${EXEC_MAX_ARG_CHARS} characters)`,
} as const;

/** A type check that runs before the schema's limits and answers `message` (ctrl-exec checks types first). */
const checkedFirst = <T extends z.ZodType>(ok: (v: unknown) => boolean, message: string, schema: T) =>
  z.preprocess((v, ctx) => {
    if (!ok(v)) ctx.addIssue({ code: "custom", message });
    return v;
  }, schema);

const HostName = z
  .string()
  .min(1, EXEC_TEXTS.hosts)
  .openapi({ description: "Registry name of the host (`name:port` accepted, port ignored)" });

const nonEmptyNames = (v: unknown) =>
  Array.isArray(v) && v.length > 0 && v.every((h) => typeof h === "string" && h.length > 0);

/** `hosts` as `_handle_run`/`_handle_ping` check it: a non-empty array of host names, at most `max_hosts`. */
const Hosts = checkedFirst(
  nonEmptyNames,
  EXEC_TEXTS.hosts,
  z.array(HostName).min(1, EXEC_TEXTS.hosts).max(EXEC_MAX_HOSTS, EXEC_TEXTS.tooManyHosts),
);

/** Perl's `$x // ''` on a JSON value: accepted whatever its type (a non-string counts as unset). */
const loose = (description: string) =>
  z
    .unknown()
    .optional()
    .openapi({ type: ["string", "null"], description });

const Credentials = {
  username: loose("Recorded as the submitter; not checked"),
  token: loose("A Fleetgate API token (`ztlu_…`/`ztls_…`) or access JWT"),
};

export const PingRequest = z
  .object({ hosts: Hosts, ...Credentials })
  .openapi("PingRequest", { example: { hosts: ["web-01", "web-02"], token: "ztlu_…" } });

const ScriptName = z
  .string({ error: EXEC_TEXTS.script })
  .regex(/^[\w-]+$/, EXEC_TEXTS.script)
  .max(EXEC_MAX_SCRIPT_CHARS, EXEC_TEXTS.script)
  // Perl: `$script && …` — the string "0" is false.
  .refine((s) => s !== "0", EXEC_TEXTS.script)
  .openapi({ description: "Allowlisted script name (alphanumeric and hyphens only)" });

const Args = z
  .preprocess(
    (v, ctx) => {
      if (Array.isArray(v) && !v.every((a) => typeof a === "string")) {
        ctx.addIssue({ code: "custom", message: EXEC_TEXTS.argsStrings });
      }
      return v;
    },
    z
      .array(z.string().max(EXEC_MAX_ARG_CHARS, EXEC_TEXTS.argTooLong), { error: EXEC_TEXTS.args })
      .max(EXEC_MAX_ARGS, EXEC_TEXTS.tooManyArgs),
  )
  .nullish()
  .openapi({ description: "Literal argv for the script (never a shell)" });

export const RunRequest = z
  .object({
    hosts: Hosts,
    script: ScriptName,
    args: Args,
    async: z
      .unknown()
      .optional()
      .openapi({ type: "boolean", description: "Submit and return 202; poll GET /status/{reqid} (Perl truthiness)" }),
    ...Credentials,
  })
  .openapi("RunRequest", { example: { hosts: ["db-01"], script: "pg-backup", args: ["--database", "myapp"] } });

/** Discovery's `hosts`: anything but a non-empty array means "every registered host". */
const DiscoveryHosts = z
  .preprocess(
    (v, ctx) => {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      if (!v.every((h) => typeof h === "string")) ctx.addIssue({ code: "custom", message: EXEC_TEXTS.hosts });
      return v;
    },
    z
      .array(z.string().openapi({ description: "Registry name of the host" }))
      .max(EXEC_MAX_HOSTS, EXEC_TEXTS.tooManyHosts)
      .optional(),
  )
  .openapi({ description: "Registry names to describe (default: every registered host)" });

export const DiscoveryRequest = z.object({ hosts: DiscoveryHosts, ...Credentials }).openapi("DiscoveryRequest");

/** The text of the first failure of a ctrl-exec request body, as the face answers it (400 `detail`). */
export const execRequestError = (error: z.ZodError): string => error.issues[0]?.message ?? "bad request";
