import { call } from "./helpers";

export const ZITI = "/edge/client/v1";
export const ZITI_ERROR_META = { apiEnrollmentVersion: "0.0.1", apiVersion: "0.0.1" };

let n = 0;
/** A fresh client address per request, so per-IP sign-in limits never couple tests. */
const nextIp = () => {
  n++;
  return `198.18.${(n >> 8) & 255}.${n & 255}`;
};

/** A request to the Ziti face (path relative to /edge/client/v1), optionally with a zt-session. */
export function zcall(
  path: string,
  init: { method?: string; json?: unknown; body?: string; headers?: Record<string, string>; session?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "cf-connecting-ip": nextIp(), ...init.headers };
  if (init.session) headers["zt-session"] = init.session;
  return call(`${ZITI}${path}`, { method: init.method ?? "GET", json: init.json, body: init.body, headers });
}

export interface ZitiEnvelope<T = Record<string, unknown>> {
  data: T;
  meta: Record<string, unknown>;
}
export interface ZitiErrorBody {
  error: { code: string; message: string; requestId: string; args: unknown; cause: unknown; causeMessage: string };
  meta: typeof ZITI_ERROR_META;
}

export const body = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as ZitiEnvelope<T>;
export const errorOf = async (res: Response) => ((await res.json()) as ZitiErrorBody).error;

/** POST /authenticate?method=password; returns the response (status not checked). */
export function authenticate(username: string, password: string, extra: Record<string, unknown> = {}) {
  return zcall("/authenticate?method=password", { method: "POST", json: { username, password, ...extra } });
}

/** Authenticates and returns the zt-session token (throws unless 200). */
export async function ztSession(username: string, password: string): Promise<string> {
  const res = await authenticate(username, password);
  if (res.status !== 200) throw new Error(`authenticate ${username}: ${res.status} ${await res.text()}`);
  const token = res.headers.get("zt-session");
  if (!token) throw new Error("no zt-session header");
  return token;
}

/** Native-face sign-in (own client address), returning the access token. */
export async function nativeLogin(username: string, password: string, totp_code?: string): Promise<string> {
  const res = await call("/api/v1/auth/login", {
    method: "POST",
    json: { username, password, totp_code },
    headers: { "cf-connecting-ip": nextIp() },
  });
  if (res.status !== 200) throw new Error(`native login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

let adminToken: Promise<string> | undefined;
let users = 0;

/** Creates a person on the native face (signing the admin in once per file). */
export async function nativeUser(role: "admin" | "operator" | "reporter" = "operator", password = "Str0ng!Passw0rd") {
  adminToken ??= nativeLogin("admin", "Admin-Pass-123!");
  const username = `zt-${role}-${Date.now().toString(36)}-${users++}`;
  const res = await call("/api/v1/users", {
    method: "POST",
    headers: { authorization: `Bearer ${await adminToken}` },
    json: { username, email: `${username}@example.test`, role, password },
  });
  if (res.status !== 200) throw new Error(`create ${username}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return { id, username, password };
}

/** The base32 secret inside an otpauth:// provisioning URL. */
export const secretOf = (url: string) => new URL(url).searchParams.get("secret") ?? "";
