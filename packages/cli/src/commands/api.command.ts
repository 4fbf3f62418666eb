import { readFileSync } from "node:fs";
import { errorFromResponse, readBody } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";
import { repeated } from "./exports.command";
import { keyValues } from "./parse";
import { readStdin } from "./stdin";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/** A typed JSON value for `-F k=v`: numbers, booleans and null as such (as in `gh api -F`). */
function typed(v: string): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  if (v === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

/** `fleetgate api <METHOD> <path>`: an authenticated request, like `gh api`. Paths without /api/ are under /api/v1. */
export const apiCmd = (app: App) =>
  defineCommand({
    meta: { name: "api", description: "Call any API path with your credentials (like gh api)" },
    args: {
      method: { type: "positional", required: true, description: METHODS.join("|") },
      path: {
        type: "positional",
        required: true,
        description: "/hosts?limit=5 (under /api/v1) or a full path like /api/task_result/…/",
      },
      field: { type: "string", alias: "f", description: "string body field key=value (repeatable)" },
      "raw-field": { type: "string", alias: "F", description: "typed body field key=value (numbers, booleans, null)" },
      input: { type: "string", description: "request body from a file (- = stdin)" },
      header: { type: "string", alias: "H", description: "extra header 'Name: value' (repeatable)" },
      include: { type: "boolean", alias: "i", description: "print the status line and headers to stderr" },
    },
    async run({ args, rawArgs }) {
      const method = args.method.toUpperCase();
      if (!METHODS.includes(method)) throw new UsageError(`method is one of ${METHODS.join(", ")}`);
      if (!args.path.startsWith("/")) throw new UsageError("the path starts with /");
      const path = /^\/(api|edge|agent|files|status|ping|run|discovery|health|openapi|\.well-known)\b/.test(args.path)
        ? args.path
        : `/api/v1${args.path}`;
      const fields = {
        ...keyValues(repeated(rawArgs, ["--field", "-f"]), "--field"),
        ...Object.fromEntries(
          Object.entries(keyValues(repeated(rawArgs, ["--raw-field", "-F"]), "--raw-field")).map(([k, v]) => [
            k,
            typed(v),
          ]),
        ),
      };
      const headers = new Headers();
      for (const h of repeated(rawArgs, ["--header", "-H"])) {
        const i = h.indexOf(":");
        if (i <= 0) throw new UsageError(`--header takes 'Name: value', got "${h}"`);
        headers.set(h.slice(0, i).trim(), h.slice(i + 1).trim());
      }
      let body: string | undefined;
      if (args.input !== undefined)
        body = args.input === "-" ? await readStdin(app.io.stdin) : readFileSync(args.input, "utf8");
      else if (Object.keys(fields).length > 0) body = JSON.stringify(fields);
      if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
      const res = await app.client().request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      if (args.include) {
        app.info(`HTTP ${res.status} ${res.statusText}`);
        for (const [k, v] of res.headers) app.info(`${k}: ${v}`);
      }
      if (!res.ok) {
        const data = await readBody(res);
        if (data !== undefined) app.out(typeof data === "string" ? `${data}\n` : `${JSON.stringify(data, null, 2)}\n`);
        throw errorFromResponse(res, data);
      }
      const text = await res.text();
      if (!text) return;
      if ((res.headers.get("content-type") ?? "").includes("json")) {
        app.out(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      } else app.out(text.endsWith("\n") ? text : `${text}\n`);
    },
  });
