// Test support (not shipped): a loopback HTTP server scripted per test and the CLI run in-process.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type { Io } from "./io";
import { main } from "./main";

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
export interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
  body: string;
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

/** The native face's error shape. */
export const err = (res: ServerResponse, status: number, code: string, message: string, headers = {}) =>
  json(res, status, { error: { code, message } }, headers);

/** A scripted server on 127.0.0.1 plus a private config home for the CLI runs of one test file. */
export async function startHarness() {
  let handler: Handler = (_q, _b, res) => res.writeHead(404).end();
  const seen: Seen[] = [];
  let home = "";
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", auth: req.headers.authorization, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    get home() {
      home ||= mkdtempSync(path.join(tmpdir(), "fg-cli-unit-"));
      return home;
    },
    handle(h: Handler) {
      handler = h;
    },
    /** Forgets requests and the config home between tests. */
    reset() {
      seen.length = 0;
      if (home) rmSync(home, { recursive: true, force: true });
      home = "";
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
    /** Runs the CLI in-process with captured output and the private config dir. */
    async cli(argv: string[], env: Record<string, string> = {}) {
      home ||= mkdtempSync(path.join(tmpdir(), "fg-cli-unit-"));
      let stdout = "";
      let stderr = "";
      const io: Io = {
        stdout: {
          write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : Buffer.from(c).toString()),
        },
        stderr: { write: (c: string) => (stderr += c) },
        stdin: Readable.from([]),
        env: { XDG_CONFIG_HOME: path.join(home, "cfg"), HOME: home, ...env },
        stdoutIsTTY: false,
        stderrIsTTY: false,
        signal: new AbortController().signal,
      };
      const code = await main(argv, io);
      return { code, stdout, stderr };
    },
  };
}
