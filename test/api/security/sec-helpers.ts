import { currentTotp } from "@fleetgate/auth";
import { call } from "../helpers";
import { nativeLogin, nativeUser } from "../ziti-helpers";

export const STEP = 30_000;

/** A six-digit code that is none of the codes valid around `now` (window ±1). */
export function wrongCode(secret: string, now = Date.now()): string {
  const valid = new Set([-1, 0, 1, 2].map((k) => currentTotp(secret, now + k * STEP)));
  for (const candidate of ["000000", "111111", "222222", "333333", "444444"])
    if (!valid.has(candidate)) return candidate;
  return "555555";
}

/** A person with MFA enrolled on the native face; returns the secret and recovery codes. */
export async function nativeMfaUser(role: "admin" | "operator" | "reporter" = "operator") {
  const u = await nativeUser(role);
  const access = await nativeLogin(u.username, u.password);
  const auth = { authorization: `Bearer ${access}` };
  const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: auth })).json()) as { secret_base32: string };
  const enrolledAt = Date.now();
  const verify = await call("/api/v1/auth/mfa/verify", {
    method: "POST",
    headers: auth,
    json: {
      secret_base32: setup.secret_base32,
      code: currentTotp(setup.secret_base32, enrolledAt),
      password: u.password,
    },
  });
  if (verify.status !== 200) throw new Error(`mfa verify: ${verify.status} ${await verify.text()}`);
  const { recovery_codes } = (await verify.json()) as { recovery_codes: string[] };
  return { ...u, access, secret: setup.secret_base32, enrolledAt, recovery: recovery_codes };
}
