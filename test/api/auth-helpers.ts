import { call } from "./helpers";

export const ADMIN = { username: "admin", password: "Admin-Pass-123!" };

export interface Session {
  access: string;
  refresh: string;
  userId: string;
}

/** Logs in on the native face and returns the tokens (throws on failure). */
export async function login(
  username = ADMIN.username,
  password = ADMIN.password,
  totp_code?: string,
): Promise<Session> {
  const res = await call("/api/v1/auth/login", { method: "POST", json: { username, password, totp_code } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string; refresh_token: string; user: { id: string } };
  return { access: body.access_token, refresh: body.refresh_token, userId: body.user.id };
}

export const bearer = (s: Session | string) => ({ authorization: `Bearer ${typeof s === "string" ? s : s.access}` });

let adminSession: { s: Session; at: number } | undefined;
/** The bootstrap admin's session, reused for a minute (keeps per-account login limits out of tests). */
export async function adminLogin(): Promise<Session> {
  if (!adminSession || Date.now() - adminSession.at > 60_000) adminSession = { s: await login(), at: Date.now() };
  return adminSession.s;
}

let counter = 0;
/** Creates a user with `role` via the admin and logs them in. */
export async function userWithRole(role: "admin" | "operator" | "reporter", password = "Str0ng!Passw0rd") {
  const admin = await adminLogin();
  const username = `${role}-${Date.now().toString(36)}-${counter++}`;
  const res = await call("/api/v1/users", {
    method: "POST",
    headers: bearer(admin),
    json: { username, email: `${username}@example.test`, role, password },
  });
  if (res.status !== 200) throw new Error(`create ${username}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return { id, username, password, session: await login(username, password) };
}
