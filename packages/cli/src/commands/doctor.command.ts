import { AuthenticationError, FleetgateError, PermissionError } from "@fleetgate/sdk";
import { defineCommand } from "citty";
import type { App } from "../app";
import { EXIT } from "../exit-codes";

/** Largest clock difference that keeps TOTP (±30 s) and token checks (5 s leeway) comfortable. */
const MAX_SKEW_S = 5;

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

/** The `exp` of a JWT (not verified: only to tell the user when it ends). */
function jwtExpiry(token: string): number | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** `fleetgate doctor`: reachability, clock skew and credentials, each as ok/failed. */
export const doctor = (app: App) =>
  defineCommand({
    meta: { name: "doctor", description: "Check reachability, clock skew and token expiry" },
    async run() {
      const checks: Check[] = [];
      const target = app.target();
      checks.push({ check: "server", ok: true, detail: `${target.url} (context "${target.context}")` });
      const t0 = Date.now();
      let res: Response | undefined;
      try {
        res = await fetch(`${target.url}/status/health`, { signal: AbortSignal.timeout(10_000) });
        const rtt = Date.now() - t0;
        checks.push({ check: "reachable", ok: res.ok, detail: `HTTP ${res.status} in ${rtt} ms` });
      } catch (err) {
        checks.push({ check: "reachable", ok: false, detail: err instanceof Error ? err.message : String(err) });
      }
      const date = res?.headers.get("date");
      if (date) {
        const skew = Math.round((Date.parse(date) - (t0 + Date.now()) / 2) / 1000);
        checks.push({
          check: "clock",
          ok: Math.abs(skew) <= MAX_SKEW_S,
          detail:
            skew === 0
              ? "in sync with the server"
              : `${Math.abs(skew)} s ${skew > 0 ? "behind" : "ahead of"} the server`,
        });
      }
      const c = target.credentials;
      let authFailed = false;
      if (!c) {
        checks.push({ check: "credentials", ok: false, detail: "none (fleetgate login, or FLEETGATE_TOKEN)" });
        authFailed = true;
      } else {
        const exp = c.kind === "session" ? undefined : jwtExpiry(c.token);
        const what =
          c.kind === "session"
            ? `session (refresh token rotates; access token until ${new Date(c.expiresAt).toISOString()})`
            : /^ztl[us]_/.test(c.token)
              ? `API token from ${target.source === "env" ? "FLEETGATE_TOKEN" : "the credentials file"}`
              : `access JWT${exp ? ` until ${new Date(exp).toISOString()}` : ""}`;
        try {
          const me = await app.client(target).users.me();
          checks.push({ check: "credentials", ok: true, detail: `${what}; signed in as ${me.username} (${me.role})` });
        } catch (err) {
          authFailed = err instanceof AuthenticationError || err instanceof PermissionError;
          const msg = err instanceof FleetgateError ? `${err.message} (${err.code})` : String(err);
          checks.push({ check: "credentials", ok: false, detail: `${what}; refused: ${msg}` });
        }
      }
      if (app.format() === "json" || app.format() === "ndjson") {
        app.out(
          app.format() === "json"
            ? `${JSON.stringify(checks, null, 2)}\n`
            : checks.map((x) => `${JSON.stringify(x)}\n`).join(""),
        );
      } else {
        for (const x of checks)
          app.out(`${x.ok ? app.paint("green", "✓") : app.paint("red", "✗")} ${x.check}: ${x.detail}\n`);
      }
      if (checks.some((x) => !x.ok)) app.exitCode = authFailed ? EXIT.auth : EXIT.error;
    },
  });
