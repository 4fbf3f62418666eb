import type { Client } from "openapi-fetch";
import { sleep } from "./backoff";
import { AuthenticationError, FleetgateError, WaitTimeoutError } from "./errors";
import type { paths } from "./gen/v1";
import { ok } from "./result";
import type { Schemas } from "./types";

/** What the user must see to approve the sign-in: open the URL, check the code. */
export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresAt: number;
}

export interface DeviceLoginOptions {
  /** Shown in the audit log and on the approval page. */
  clientName?: string;
  /** Called once with the code to show; the login waits for the approval after it returns. */
  onCode: (code: DeviceCode) => void | Promise<void>;
  signal?: AbortSignal;
  /** For tests: how to wait between polls. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** RFC 8628 §3.5: a `slow_down` answer adds five seconds to the polling interval, for good. */
const SLOW_DOWN_STEP_S = 5;

/**
 * Device authorization (RFC 8628 style, docs/auth.md): asks for a code, lets the caller show it,
 * then polls until a signed-in user approves it in the dashboard (`/app/device`). Returns the
 * session the approval grants; a denial or an expired code is an AuthenticationError.
 */
export async function deviceLogin(
  publicApi: Client<paths>,
  o: DeviceLoginOptions,
): Promise<Schemas["DeviceTokenResponse"]> {
  const wait = o.sleep ?? sleep;
  const code = await ok(
    publicApi.POST("/auth/device/code", { body: o.clientName ? { client_name: o.clientName } : {} }),
  );
  const expiresAt = Date.now() + code.expires_in * 1000;
  await o.onCode({
    userCode: code.user_code,
    verificationUri: code.verification_uri,
    verificationUriComplete: code.verification_uri_complete,
    expiresAt,
  });
  let intervalS = Math.max(1, code.interval);
  for (;;) {
    await wait(intervalS * 1000, o.signal);
    try {
      return await ok(publicApi.POST("/auth/device/token", { body: { device_code: code.device_code } }));
    } catch (err) {
      if (!(err instanceof FleetgateError)) throw err;
      if (err.code === "authorization_pending") {
        if (Date.now() >= expiresAt)
          throw new WaitTimeoutError("The code expired before it was approved", 0, "timeout");
        continue;
      }
      if (err.code === "slow_down") {
        intervalS += SLOW_DOWN_STEP_S;
        continue;
      }
      if (err.code === "access_denied") throw new AuthenticationError("The sign-in was denied", err.status, err.code);
      if (err.code === "expired_token") {
        throw new AuthenticationError("The code expired before it was approved; start again", err.status, err.code);
      }
      throw err;
    }
  }
}
