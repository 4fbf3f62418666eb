import { AgentMessage } from "@fleetgate/contract/agent";
import WebSocket from "ws";
import type { AgentOptions } from "./agent-options";
import { Backoff } from "./backoff";
import { builtinCommands } from "./builtin-commands";
import { CommandStore } from "./command-store";
import { CommandRunner } from "./commands";
import type { AgentConfig } from "./config";
import { CrlHolder } from "./crl-holder";
import { ScanRunner } from "./discovery/scan-runner";
import { AgentError, EXIT } from "./exit-codes";
import { helloFrame } from "./hello-frame";
import { collectHostInfo, type HostInfo } from "./host-info";
import type { Logger } from "./log";
import { PatchAgent } from "./patch/patch-agent";
import { createProof, endpoint, toWebSocketUrl } from "./proof";
import { Rebooter, resumeAfterBoot } from "./reboot/rebooter";
import { renewIfDue } from "./renew";
import { parseServerFrame } from "./server-frames";
import { type Credentials, StateDir } from "./state";
import { AGENT_VERSION } from "./version";

const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * The long-running service: holds one WebSocket to the control plane, reconnecting with
 * jittered exponential backoff, and runs the commands it receives under the rules in
 * docs/agent-protocol.md (own allowlist only, argv only, each command id at most once).
 */
export class Agent {
  private ws: WebSocket | null = null;
  private helloSent = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly beforeHello: { frame: AgentMessage; resolve: (sent: boolean) => void }[] = [];
  private loopDone: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private crlTimer: NodeJS.Timeout | undefined;
  private readonly crl: CrlHolder;
  private renewing = false;
  private readonly scans = new ScanRunner(
    (frame) => this.send(frame),
    () => this.log,
  );
  private readonly backoff: Backoff;
  private readonly commands: CommandRunner;
  /** Patch management (inventory, health checks); null when the config does not enable it. */
  private readonly patch: PatchAgent | null;
  /** Reboots for `reboot` jobs and patch jobs that allow them (refused unless `reboot.enabled`). */
  private readonly rebooter: Rebooter;

  private constructor(
    private readonly options: AgentOptions,
    private readonly state: StateDir,
    store: CommandStore,
    private credentials: Credentials,
    private readonly host: HostInfo,
  ) {
    this.backoff = new Backoff(options.backoffBaseMs ?? 1000, options.backoffCapMs ?? 60_000);
    this.crl = new CrlHolder(options.config.server, state.dir, options.logger);
    const patching = options.config.patching;
    this.rebooter = new Rebooter({
      config: options.config.reboot,
      stateDir: state.dir,
      logger: options.logger,
      send: (frame) => this.send(frame),
      hold: () => this.commands,
    });
    this.patch = patching?.enabled
      ? new PatchAgent({
          config: patching,
          ...(options.packageRunner ? { runner: options.packageRunner } : {}),
          stateDir: state.dir,
          logger: options.logger,
          send: (frame) => this.send(frame),
          rebooter: this.rebooter,
        })
      : null;
    const builtins = builtinCommands({
      patch: this.patch,
      rebooter: this.rebooter,
      upgrader: options.selfUpgrade,
      runner: () => this.commands,
      afterSwap: () => void this.stop().then(() => options.onRestart?.()),
    });
    this.commands = new CommandRunner({
      builtins,
      config: options.config,
      store,
      logger: options.logger,
      send: (frame) => this.send(frame),
      killGraceMs: options.killGraceMs,
      ackAfterMs: options.ackAfterMs,
    });
  }

  private get config(): AgentConfig {
    return this.options.config;
  }

  private get log(): Logger {
    return this.options.logger;
  }

  /** Loads state (credentials, the command record), checks renewal, and starts connecting. */
  static async start(options: AgentOptions): Promise<Agent> {
    const state = new StateDir(options.config.stateDir);
    await state.prepare();
    const credentials = await state.loadCredentials();
    if (!credentials) throw new AgentError(EXIT.notEnrolled, `not enrolled (no key/certificate in ${state.dir})`);
    const identity = await state.readIdentity();
    if (identity && identity.server !== options.config.server) {
      options.logger.warn("config server differs from the server this host enrolled with", {
        server: options.config.server,
        enrolled_server: identity.server,
      });
    }
    const { store, interrupted } = await CommandStore.open(state.dir);
    // A reboot this agent caused: its command's result is decided now, from the boot id.
    const rebootCommand = await resumeAfterBoot(state.dir, store, options.config.reboot.bootIdFile, options.logger);
    for (const id of interrupted.filter((i) => i !== rebootCommand)) {
      options.logger.warn("command was running when the agent stopped; reporting it as interrupted", {
        command_id: id,
      });
    }
    const host = options.hostInfo ?? (await collectHostInfo());
    const agent = new Agent(options, state, store, credentials, host);
    if (credentials.cert.notAfter.getTime() <= Date.now()) {
      options.logger.error("the host certificate has expired; the server will refuse it until the host re-enrolls", {
        not_after: credentials.cert.notAfter.toISOString(),
      });
    }
    await agent.checkRenewal();
    agent.renewTimer = setInterval(() => void agent.checkRenewal(), options.renewCheckMs ?? 3_600_000);
    agent.crlTimer = setInterval(() => void agent.refreshCrl(), options.crlCheckMs ?? 3_600_000);
    agent.patch?.start();
    agent.loopDone = agent.loop();
    return agent;
  }

  /** Stops the service: running commands are stopped and reported as `interrupted`, then the socket closes. */
  async stop(): Promise<void> {
    if (this.stopped) return this.loopDone;
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearInterval(this.crlTimer);
    this.patch?.stop();
    this.options.selfUpgrade?.stop();
    await this.commands.stopAll();
    const ws = this.ws;
    if (ws) {
      ws.close(1001, "agent stopping");
      setTimeout(() => ws.terminate(), 2000).unref();
    }
    this.wake?.();
    await this.loopDone;
  }

  // ---- connection -------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let upMs = 0;
      try {
        upMs = await this.connectOnce();
      } catch (error) {
        this.log.warn("connection attempt failed", { error });
      }
      if (this.stopped) break;
      if (upMs >= (this.options.stableAfterMs ?? 30_000)) this.backoff.reset();
      const delay = this.backoff.next();
      this.log.info("reconnecting", { delay_ms: delay });
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** One connection, from the proof to the close; resolves with how long it was open. */
  private async connectOnce(): Promise<number> {
    const url = endpoint(this.config.server, "/agent/v1/connect");
    // A fresh single-use proof per attempt (its jti is remembered by the server).
    const proof = await createProof({
      privateKey: this.credentials.privateKey,
      x5tS256: this.credentials.cert.x5tS256,
      audience: url,
    });
    if (this.stopped) return 0;
    const ws = new WebSocket(toWebSocketUrl(url), {
      headers: { authorization: `Bearer ${proof}` },
      handshakeTimeout: 15_000,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.ws = ws;
    return new Promise<number>((resolve) => {
      let openedAt: number | null = null;
      let alive = true;
      let heartbeat: NodeJS.Timeout | undefined;
      ws.on("open", () => {
        openedAt = Date.now();
        this.log.info("connected", { server: this.config.server });
        heartbeat = setInterval(() => {
          if (!alive) {
            this.log.warn("no answer to ping; dropping the connection");
            ws.terminate();
            return;
          }
          alive = false;
          ws.ping();
        }, this.options.heartbeatMs ?? 30_000);
        void this.sendHello(ws);
      });
      ws.on("pong", () => {
        alive = true;
      });
      ws.on("message", (data, isBinary) => {
        alive = true;
        if (isBinary) {
          this.log.warn("ignoring binary frame");
          return;
        }
        this.onFrame(data.toString());
      });
      ws.on("error", (error) => {
        const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
        if (status === "401" || status === "403") {
          this.log.error("the server refused this host's credentials", { status: Number(status) });
        } else {
          this.log.warn("connection error", { error });
        }
      });
      ws.on("close", (code) => {
        clearInterval(heartbeat);
        if (this.ws === ws) {
          this.ws = null;
          this.helloSent = false;
          for (const queued of this.beforeHello.splice(0)) queued.resolve(false);
        }
        if (openedAt !== null) this.log.info("disconnected", { code });
        resolve(openedAt === null ? 0 : Date.now() - openedAt);
      });
    });
  }

  private async sendHello(ws: WebSocket): Promise<void> {
    const frame = await helloFrame(
      this.config,
      this.host,
      this.commands.undeliveredIds(),
      await this.crl.report(this.credentials.caPem),
    );
    if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
    const sent = await this.sendOn(ws, frame);
    if (!sent) return;
    this.helloSent = true;
    for (const queued of this.beforeHello.splice(0)) queued.resolve(await this.sendOn(ws, queued.frame));
  }

  /** Sends a frame after checking it against the protocol; resolves true once written to the socket. */
  private sendOn(ws: WebSocket, frame: AgentMessage): Promise<boolean> {
    const checked = AgentMessage.safeParse(frame);
    if (!checked.success) {
      this.log.error("refusing to send a frame that breaks the protocol", { type: frame.type });
      return Promise.resolve(false);
    }
    if (ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    return new Promise((resolve) => ws.send(JSON.stringify(checked.data), (error) => resolve(!error)));
  }

  /** Sends on the current socket; frames produced before `hello` went out wait for it, so `hello` is always first. */
  private send(frame: AgentMessage): Promise<boolean> {
    // A deferred ack goes before any other frame about its command (a result stands for it).
    this.commands.beforeFrame(frame);
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    if (!this.helloSent) return new Promise((resolve) => this.beforeHello.push({ frame, resolve }));
    return this.sendOn(ws, frame);
  }

  private onFrame(text: string): void {
    const message = parseServerFrame(text, this.log);
    if (!message) return;
    switch (message.type) {
      case "welcome":
        void this.onWelcome(message.host_id, message.host_name, message.inventory_hash);
        return;
      case "ping":
        void this.send({ type: "pong", nonce: message.nonce, version: AGENT_VERSION });
        return;
      case "run":
        void this.commands.onRun(message).catch((error) =>
          this.log.error(`REQID=${message.reqid} command handling failed`, {
            command_id: message.command_id,
            reqid: message.reqid,
            error,
          }),
        );
        return;
      case "cancel":
        this.commands.onCancel(message.command_id);
        return;
      case "inventory_ack":
        void this.patch?.onAck(message.hash, message.full_needed);
        return;
      case "refresh":
        if (this.patch) void this.patch.onRefresh();
        else this.log.info("refresh requested, but patching is not enabled in the config");
        return;
      case "health_gate_checks":
        this.patch?.onGateChecks(message.request_id, message.checks);
        return;
      case "health_check":
        if (this.patch) void this.patch.onHealthCheck(message.request_id, message.checks);
        else {
          void this.send({
            type: "health_results",
            request_id: message.request_id,
            results: message.checks.map((c) => ({
              check_id: c.id,
              healthy: false,
              detail: "patching is not enabled on this agent",
              latency_ms: 0,
            })),
          });
        }
        return;
      case "discover":
        void this.scans.run(message);
        return;
      case "reboot_confirmed":
        this.rebooter.onConfirmed(message.command_id, message.confirmed);
        return;
    }
  }

  /** Downloads the CRL; tells the server when what this host holds changed. */
  private async refreshCrl(): Promise<void> {
    try {
      const report = await this.crl.refresh(this.credentials.caPem);
      if (report && !this.stopped) await this.send({ type: "crl_state", crl: report });
    } catch (error) {
      this.log.warn("refreshing the CRL failed", { error: String(error) });
    }
  }

  private async onWelcome(hostId: string, hostName: string, inventoryHash: string | null): Promise<void> {
    this.log.info("welcomed", { host_id: hostId, host_name: hostName });
    void this.refreshCrl();
    try {
      const identity = await this.state.readIdentity();
      if (identity && (identity.host_id !== hostId || identity.host_name !== hostName)) {
        await this.state.writeIdentity({ ...identity, host_id: hostId, host_name: hostName });
      }
    } catch (error) {
      this.log.warn("could not record the host name", { error });
    }
    await this.commands.flushUndelivered();
    void this.patch?.onConnected(inventoryHash);
    void this.options.selfUpgrade
      ?.onConnected()
      .catch((error) => this.log.warn("could not confirm the agent upgrade", { error }));
  }

  // ---- renewal ----------------------------------------------------------

  private async checkRenewal(): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      const outcome = await renewIfDue({
        config: this.config,
        state: this.state,
        credentials: this.credentials,
        logger: this.log,
      });
      if (outcome.renewed) {
        const fresh = await this.state.loadCredentials();
        if (fresh) this.credentials = fresh;
      }
    } catch (error) {
      this.log.warn("certificate renewal failed; will retry", { error });
    } finally {
      this.renewing = false;
    }
  }
}
