import { isSea } from "node:sea";
import { parseArgs } from "node:util";
import { Agent } from "./agent";
import { loadConfig } from "./config";
import { type EnrollResult, enrollWithRequest, enrollWithToken } from "./enroll";
import { AgentError, EXIT } from "./exit-codes";
import { createLogger, parseLogLevel } from "./log";
import { hostPackageEnv } from "./patch/backend-select";
import { PackageRunner } from "./patch/package-runner";
import { collectStatus, formatStatus } from "./status";
import { PackageUpgrade } from "./upgrade/package-upgrade";
import { SelfUpgrader } from "./upgrade/self-upgrade";
import { AGENT_VERSION } from "./version";

export const USAGE = `usage: fleetgate-agent <command> --config <file.json|file.yaml> [options]

commands:
  enroll --token <JWT>        enroll with a one-time enrollment token
  enroll --request            file a self-enrollment request and wait for approval
         [--poll-interval <s>] [--max-attempts <n>]
  run                         run the agent service (connect, execute allowlisted scripts)
  status                      show enrollment, certificate and server reachability

options:
  --config, -c <file>         agent config (required)
  --json                      machine-readable output (enroll, status)
  --force                     enroll again although already enrolled
  --help, -h                  this text
  --version                   print the agent version

exit codes: 0 ok, 1 failure, 2 usage/config error, 3 not enrolled,
            4 refused by the server (or certificate expired), 5 server unavailable / still pending
`;

/** Output sinks, replaceable in tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new AgentError(EXIT.usage, `${name} must be a positive integer`);
  return n;
}

function describeEnrollment(result: EnrollResult, json: boolean): string {
  const summary = {
    enrolled: true,
    method: result.identity.method,
    identity_id: result.identity.identity_id,
    certificate: {
      subject: result.certificate.subject,
      not_after: result.certificate.notAfter.toISOString(),
      fingerprint_sha256: result.certificate.fingerprintSha256,
    },
  };
  if (json) return `${JSON.stringify(summary, null, 2)}\n`;
  return `enrolled (${summary.method}) as ${summary.certificate.subject}\ncertificate valid until ${summary.certificate.not_after}\nsha256 ${summary.certificate.fingerprint_sha256}\n`;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

/** The CLI. Returns the exit code; `run` returns only after SIGTERM/SIGINT. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // `pnpm agent -- run ...` passes the separator through.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string", short: "c" },
        token: { type: "string" },
        request: { type: "boolean" },
        "poll-interval": { type: "string" },
        "max-attempts": { type: "string" },
        json: { type: "boolean" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
    if (values.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (values.version) {
      io.stdout(`${AGENT_VERSION}\n`);
      return EXIT.ok;
    }
    const [command, ...rest] = positionals;
    if (command === undefined) throw new AgentError(EXIT.usage, `a command is required\n${USAGE}`);
    if (rest.length > 0) throw new AgentError(EXIT.usage, `unexpected argument: ${rest[0]}`);
    if (command !== "enroll" && command !== "run" && command !== "status") {
      throw new AgentError(EXIT.usage, `unknown command: ${command}\n${USAGE}`);
    }
    if (!values.config) throw new AgentError(EXIT.usage, "--config <file> is required");
    const config = await loadConfig(values.config);
    const level = parseLogLevel(process.env.FLEETGATE_LOG_LEVEL);

    if (command === "status") {
      const { report, exitCode } = await collectStatus(config);
      io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      return exitCode;
    }

    if (command === "enroll") {
      // Logs go to stderr so stdout carries only the result.
      const logger = createLogger({ level, write: io.stderr });
      if (values.token !== undefined && values.request) {
        throw new AgentError(EXIT.usage, "use either --token or --request, not both");
      }
      let result: EnrollResult;
      if (values.token !== undefined) {
        result = await enrollWithToken(config, values.token, { logger, force: values.force ?? false });
      } else if (values.request) {
        result = await enrollWithRequest(config, {
          logger,
          force: values.force ?? false,
          pollIntervalSeconds: positiveInt(values["poll-interval"], "--poll-interval") ?? config.pollIntervalSeconds,
          maxAttempts: positiveInt(values["max-attempts"], "--max-attempts") ?? 1440,
        });
      } else {
        throw new AgentError(EXIT.usage, "enroll needs --token <JWT> or --request");
      }
      io.stdout(describeEnrollment(result, values.json ?? false));
      return EXIT.ok;
    }

    const logger = createLogger({ level, write: io.stdout });
    // Self-upgrade only when this process is the self-contained executable: it swaps the file, or,
    // when the file belongs to our .deb/.rpm, installs the new version with the package manager.
    const packageRunner = new PackageRunner(hostPackageEnv(config.patching, config.stateDir));
    const packageUpgrade = new PackageUpgrade(packageRunner);
    const packaged = isSea() && (await packageUpgrade.owns(process.execPath)) ? packageUpgrade : null;
    const selfUpgrade = isSea()
      ? new SelfUpgrader({
          packaged,
          executable: process.execPath,
          stateDir: config.stateDir,
          server: config.server,
          currentVersion: AGENT_VERSION,
          logger,
          restart: () => restart(),
        })
      : null;
    let restart = () => {};
    const restarting = new Promise<"restart">((resolve) => {
      restart = () => resolve("restart");
    });
    if (selfUpgrade && (await selfUpgrade.onStart())) return EXIT.restart;
    const agent = await Agent.start({ config, logger, selfUpgrade, packageRunner, onRestart: () => restart() });
    logger.info("agent started", { version: AGENT_VERSION, server: config.server, scripts: config.scripts.size });
    const received = await Promise.race([waitForSignal(), restarting]);
    logger.info("stopping", { signal: received });
    await agent.stop();
    return received === "restart" ? EXIT.restart : EXIT.ok;
  } catch (error) {
    if (error instanceof AgentError) {
      io.stderr(`fleetgate-agent: ${error.message}\n`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`fleetgate-agent: ${(error as Error).message}\n${USAGE}`);
      return EXIT.usage;
    }
    io.stderr(`fleetgate-agent: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.failure;
  }
}
