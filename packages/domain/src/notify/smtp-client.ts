import { connect } from "cloudflare:sockets";

/**
 * A small SMTP submission client (RFC 5321, 3207 STARTTLS, 4954 AUTH,
 * 4616 PLAIN) over Workers TCP sockets. One message per connection:
 * greeting → EHLO → [STARTTLS → EHLO] → [AUTH] → MAIL FROM → RCPT TO… →
 * DATA (dot-stuffed) → QUIT. Every read has a timeout; every failure is an
 * `SmtpError` whose message never contains the password.
 *
 * TLS: `implicit` connects with `secureTransport: "on"` (port 465),
 * `starttls` upgrades with `socket.startTls()` and refuses to go on when the
 * server does not offer STARTTLS (no silent downgrade). Certificates are
 * verified by the runtime against its trust store; there is no switch to
 * turn verification off. Credentials are never sent over plain text: with
 * `tls_mode: "none"` AUTH is refused.
 */
export type SmtpTlsMode = "starttls" | "implicit" | "none";

export interface SmtpConfig {
  host: string;
  port: number;
  tlsMode: SmtpTlsMode;
  username: string;
  password: string;
}

export interface SmtpEnvelope {
  from: string;
  to: readonly string[];
}

export type SmtpFailure = "connect" | "tls" | "auth" | "rejected" | "timeout" | "protocol";

export class SmtpError extends Error {
  constructor(
    readonly kind: SmtpFailure,
    message: string,
    readonly replyCode?: number,
  ) {
    super(message);
    this.name = "SmtpError";
  }
}

/** What `connect` from `cloudflare:sockets` looks like; tests pass a scripted one. */
export type Connector = (address: { hostname: string; port: number }, options: SocketOptions) => Socket;

export interface SmtpOptions {
  /** Per-step timeout (connect, each reply); default 10 s. */
  timeoutMs?: number;
  /** Our name in EHLO; default `fleetgate.invalid`. */
  clientName?: string;
  connector?: Connector;
}

interface Reply {
  code: number;
  lines: string[];
}

const encoder = new TextEncoder();

const b64 = (s: string) => {
  let bin = "";
  for (const byte of encoder.encode(s)) bin += String.fromCharCode(byte);
  return btoa(bin);
};

/** Reads CRLF-terminated SMTP replies, multi-line ones (`250-…`) joined. */
class ReplyReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly timeoutMs: number,
  ) {}

  private async line(): Promise<string> {
    for (;;) {
      const i = this.buffer.indexOf("\n");
      if (i >= 0) {
        const line = this.buffer.slice(0, i).replace(/\r$/, "");
        this.buffer = this.buffer.slice(i + 1);
        return line;
      }
      if (this.buffer.length > 8192) throw new SmtpError("protocol", "SMTP reply line too long");
      const chunk = await withTimeout(this.reader.read(), this.timeoutMs, "waiting for the SMTP server's reply");
      if (chunk.done) throw new SmtpError("protocol", "the SMTP server closed the connection");
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) throw new SmtpError("protocol", `malformed SMTP reply: ${line.slice(0, 100)}`);
      lines.push(m[3] ?? "");
      if (m[2] !== "-") return { code: Number(m[1]), lines };
      if (lines.length > 100) throw new SmtpError("protocol", "SMTP reply too long");
    }
  }

  release(): void {
    this.reader.releaseLock();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmtpError("timeout", `timed out ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The DATA payload: line endings normalised to CRLF, every line that starts
 * with "." doubled (RFC 5321 §4.5.2), ended by `CRLF.CRLF`.
 */
export function dotStuff(message: string): string {
  const lines = message.replace(/\r?\n/g, "\n").replace(/\n$/, "").split("\n");
  return `${lines.map((l) => (l.startsWith(".") ? `.${l}` : l)).join("\r\n")}\r\n.\r\n`;
}

/** Refuses addresses that could inject SMTP commands (CR, LF, angle brackets). */
function checkAddress(addr: string): string {
  if (!addr || addr.length > 320 || /[\r\n<>\s]/.test(addr) || !addr.includes("@"))
    throw new SmtpError("rejected", `invalid mail address "${addr.slice(0, 100)}"`);
  return addr;
}

/**
 * Sends one message. Resolves with the server's answer to the end of DATA
 * (usually its queue id); rejects with `SmtpError`.
 */
export async function sendSmtp(
  config: SmtpConfig,
  envelope: SmtpEnvelope,
  message: string,
  options: SmtpOptions = {},
): Promise<{ response: string }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clientName = options.clientName ?? "fleetgate.invalid";
  const from = checkAddress(envelope.from);
  const to = envelope.to.map(checkAddress);
  if (to.length === 0) throw new SmtpError("rejected", "no recipients");
  if (config.tlsMode === "none" && (config.username || config.password))
    throw new SmtpError("auth", "refusing to send credentials over an unencrypted connection (tls_mode none)");
  const scrub = (text: string) => {
    let out = text;
    if (config.password) {
      out = out.split(config.password).join("***");
      const encoded = b64(config.password);
      out = out.split(encoded).join("***");
    }
    return out;
  };

  const doConnect = options.connector ?? (connect as unknown as Connector);
  let socket: Socket;
  try {
    socket = doConnect(
      { hostname: config.host, port: config.port },
      {
        secureTransport: config.tlsMode === "implicit" ? "on" : config.tlsMode === "starttls" ? "starttls" : "off",
        allowHalfOpen: false,
      },
    );
    await withTimeout(socket.opened, timeoutMs, `connecting to ${config.host}:${config.port}`);
  } catch (err) {
    if (err instanceof SmtpError) throw err;
    throw new SmtpError(
      config.tlsMode === "implicit" ? "tls" : "connect",
      `cannot connect to ${config.host}:${config.port}: ${errText(err)}`,
    );
  }

  let reader = new ReplyReader(socket.readable.getReader(), timeoutMs);
  let writer = socket.writable.getWriter();
  const send = async (line: string) => {
    await withTimeout(writer.write(encoder.encode(`${line}\r\n`)), timeoutMs, "sending to the SMTP server");
  };
  const expect = async (ok: (code: number) => boolean, step: string, kind: SmtpFailure = "rejected") => {
    const r = await reader.reply();
    if (!ok(r.code))
      throw new SmtpError(kind, scrub(`${step}: the server answered ${r.code} ${r.lines.join(" ")}`.trim()), r.code);
    return r;
  };
  const ehlo = async () => {
    await send(`EHLO ${clientName}`);
    const r = await expect((c) => c === 250, "EHLO");
    return r.lines.slice(1).map((l) => l.toUpperCase());
  };

  try {
    await expect((c) => c === 220, "greeting");
    let caps = await ehlo();
    if (config.tlsMode === "starttls") {
      if (!caps.some((c) => c === "STARTTLS"))
        throw new SmtpError("tls", "the server does not offer STARTTLS (tls_mode starttls)");
      await send("STARTTLS");
      await expect((c) => c === 220, "STARTTLS", "tls");
      reader.release();
      writer.releaseLock();
      try {
        socket = socket.startTls({ expectedServerHostname: config.host });
        await withTimeout(socket.opened, timeoutMs, "negotiating TLS");
      } catch (err) {
        if (err instanceof SmtpError) throw err;
        throw new SmtpError("tls", `TLS negotiation with ${config.host} failed: ${errText(err)}`);
      }
      reader = new ReplyReader(socket.readable.getReader(), timeoutMs);
      writer = socket.writable.getWriter();
      caps = await ehloAfterTls(ehlo, config.host);
    }
    if (config.username || config.password) await authenticate(caps, config, send, expect);
    await send(`MAIL FROM:<${from}>`);
    await expect((c) => c === 250, "MAIL FROM");
    for (const rcpt of to) {
      await send(`RCPT TO:<${rcpt}>`);
      await expect((c) => c === 250 || c === 251, `RCPT TO ${rcpt}`);
    }
    await send("DATA");
    await expect((c) => c === 354, "DATA");
    await withTimeout(writer.write(encoder.encode(dotStuff(message))), timeoutMs * 3, "sending the message");
    const done = await expect((c) => c === 250, "end of DATA");
    await send("QUIT").catch(() => undefined);
    return { response: scrub(done.lines.join(" ")) };
  } catch (err) {
    if (err instanceof SmtpError) throw new SmtpError(err.kind, scrub(err.message), err.replyCode);
    throw new SmtpError("protocol", scrub(`SMTP conversation with ${config.host} failed: ${errText(err)}`));
  } finally {
    await socket.close().catch(() => undefined);
  }
}

/** A TLS handshake failure surfaces on the first read after startTls(): report it as TLS, not as a reply error. */
async function ehloAfterTls(ehlo: () => Promise<string[]>, host: string): Promise<string[]> {
  try {
    return await ehlo();
  } catch (err) {
    if (err instanceof SmtpError) throw err;
    throw new SmtpError("tls", `TLS negotiation with ${host} failed: ${errText(err)}`);
  }
}

async function authenticate(
  caps: string[],
  config: SmtpConfig,
  send: (line: string) => Promise<void>,
  expect: (ok: (code: number) => boolean, step: string, kind?: SmtpFailure) => Promise<Reply>,
): Promise<void> {
  const auth = caps.find((c) => c.startsWith("AUTH ") || c.startsWith("AUTH="));
  const mechanisms = auth ? auth.slice(5).split(/\s+/) : [];
  if (mechanisms.includes("PLAIN")) {
    await send(`AUTH PLAIN ${b64(`\0${config.username}\0${config.password}`)}`);
    await expect((c) => c === 235, "AUTH PLAIN", "auth");
    return;
  }
  if (mechanisms.includes("LOGIN")) {
    await send("AUTH LOGIN");
    await expect((c) => c === 334, "AUTH LOGIN", "auth");
    await send(b64(config.username));
    await expect((c) => c === 334, "AUTH LOGIN (username)", "auth");
    await send(b64(config.password));
    await expect((c) => c === 235, "AUTH LOGIN (password)", "auth");
    return;
  }
  throw new SmtpError("auth", "the server offers neither AUTH PLAIN nor AUTH LOGIN");
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);
