import type { Connector } from "./smtp-client";

/**
 * A scripted SMTP server behind a fake `cloudflare:sockets` Socket, for unit
 * tests in workerd (which cannot listen). It speaks enough ESMTP to drive the
 * client, records every command and the DATA payload, and can be told to
 * misbehave. The real-server test (smtp-server, TLS) is test/e2e/smtp.test.ts.
 */
export interface FakeSmtpOptions {
  extensions?: string[];
  /** Credentials AUTH accepts. */
  user?: string;
  pass?: string;
  /** Reply to a command (by its verb) instead of the default. */
  override?: Record<string, string>;
  /** Never answer (timeouts). */
  silent?: boolean;
  /** startTls() fails (a certificate the runtime does not trust). */
  tlsFails?: boolean;
}

export interface FakeSmtp {
  connector: Connector;
  commands: string[];
  data: string[];
  tls: boolean;
  connectedTo?: { hostname: string; port: number; secureTransport?: string };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function fakeSmtp(opts: FakeSmtpOptions = {}): FakeSmtp {
  const state: FakeSmtp = { connector: undefined as unknown as Connector, commands: [], data: [], tls: false };
  const exts = opts.extensions ?? ["STARTTLS", "AUTH PLAIN LOGIN", "8BITMIME"];
  let push: (s: string) => void = () => undefined;
  let close: () => void = () => undefined;
  let inData = false;
  let dataBuf = "";
  let pending = "";
  let loginStep = 0;

  const reply = (s: string) => {
    if (!opts.silent) push(`${s}\r\n`);
  };
  const handle = (line: string) => {
    state.commands.push(line);
    const verb = (line.split(" ")[0] ?? "").toUpperCase();
    if (loginStep === 1) {
      loginStep = 2;
      return reply(atob(line) === opts.user ? "334 UGFzc3dvcmQ6" : "535 5.7.8 bad user");
    }
    if (loginStep === 2) {
      loginStep = 0;
      return reply(atob(line) === opts.pass ? "235 2.7.0 ok" : "535 5.7.8 Authentication failed");
    }
    const over = opts.override?.[verb];
    if (over) return reply(over);
    switch (verb) {
      case "EHLO": {
        const list = state.tls ? exts.filter((e) => e !== "STARTTLS") : exts;
        return reply(["250-fake.test hello", ...list.map((e) => `250-${e}`)].join("\r\n").replace(/-([^-]*)$/, " $1"));
      }
      case "STARTTLS":
        return reply("220 2.0.0 ready");
      case "AUTH": {
        const [, mech, arg] = line.split(" ");
        if (mech === "PLAIN") {
          const [, u, p] = atob(arg ?? "").split("\0");
          return reply(u === opts.user && p === opts.pass ? "235 2.7.0 ok" : "535 5.7.8 Authentication failed");
        }
        loginStep = 1;
        return reply("334 VXNlcm5hbWU6");
      }
      case "MAIL":
      case "RCPT":
        return reply("250 2.1.0 ok");
      case "DATA":
        inData = true;
        return reply("354 go ahead");
      case "QUIT":
        reply("221 bye");
        return close();
      default:
        return reply("502 5.5.2 unknown");
    }
  };
  const onBytes = (chunk: Uint8Array) => {
    pending += dec.decode(chunk);
    for (;;) {
      if (inData) {
        const end = (dataBuf + pending).indexOf("\r\n.\r\n");
        if (end < 0) {
          dataBuf += pending;
          pending = "";
          return;
        }
        const all = dataBuf + pending;
        state.data.push(all.slice(0, end + 2));
        pending = all.slice(end + 5);
        dataBuf = "";
        inData = false;
        reply("250 2.0.0 Ok: queued as FAKE1");
        continue;
      }
      const i = pending.indexOf("\r\n");
      if (i < 0) return;
      const line = pending.slice(0, i);
      pending = pending.slice(i + 2);
      handle(line);
    }
  };

  const makeSocket = (): Socket => {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const readable = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    push = (s) => controller?.enqueue(enc.encode(s));
    close = () => {
      try {
        controller?.close();
      } catch {
        // already closed
      }
    };
    const writable = new WritableStream<Uint8Array>({ write: (chunk) => onBytes(chunk) });
    const socket = {
      readable,
      writable,
      opened: Promise.resolve({}),
      closed: Promise.resolve(),
      upgraded: false,
      secureTransport: "off",
      close: async () => close(),
      startTls: () => {
        if (opts.tlsFails) {
          const s = makeSocket();
          (s as { opened: Promise<unknown> }).opened = Promise.reject(new Error("certificate verify failed"));
          (s as { opened: Promise<unknown> }).opened.catch(() => undefined);
          return s;
        }
        state.tls = true;
        return makeSocket();
      },
    };
    return socket as unknown as Socket;
  };

  state.connector = (address, options) => {
    state.connectedTo = { ...address, secureTransport: options.secureTransport };
    if (options.secureTransport === "on") state.tls = true;
    const s = makeSocket();
    reply("220 fake.test ESMTP");
    return s;
  };
  return state;
}
