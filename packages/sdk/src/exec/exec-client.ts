import type { HostCapabilitiesBody, PingResultBody, RunResultBody, StatusBody } from "@fleetgate/contract";
import { getJson, postJson } from "../faces";

export interface ExecOptions {
  url: string;
  /** API token (`ztlu_…`/`ztls_…`) or access JWT; ctrl-exec carries it in the body. */
  token: string;
  fetch?: (r: Request) => Promise<Response>;
}

/** A small client for Fleetgate's ctrl-exec face (reference/ctrl-exec.md). */
export function createExecClient(opts: ExecOptions) {
  const origin = new URL(opts.url).origin;
  const doFetch = opts.fetch ?? ((r: Request) => globalThis.fetch(r));
  const post = (path: string, body: Record<string, unknown>) =>
    postJson(doFetch, new URL(path, origin), { ...body, token: opts.token });
  return {
    ping: async (hosts: string[]) => (await post("/ping", { hosts })) as { ok: true; results: PingResultBody[] },
    /** Runs a script synchronously (`POST /run`). */
    run: async (hosts: string[], script: string, args: string[] = []) =>
      (await post("/run", { hosts, script, args })) as { ok: true; reqid: string; results: RunResultBody[] },
    /** Submits a run and returns at once; poll `status(reqid)`. */
    runAsync: async (hosts: string[], script: string, args: string[] = []) =>
      (await post("/run", { hosts, script, args, async: true })) as {
        ok: true;
        async: true;
        reqid: string;
        results: { host: string; status: string; reqid?: string; error?: string }[];
      },
    status: async (reqid: string) =>
      (await getJson(doFetch, new URL(`/status/${encodeURIComponent(reqid)}`, origin), {
        authorization: `Bearer ${opts.token}`,
      })) as StatusBody,
    discovery: async (hosts?: string[]) =>
      (await post("/discovery", hosts ? { hosts } : {})) as { ok: true; hosts: Record<string, HostCapabilitiesBody> },
  };
}
