import { describe, expect, it } from "vitest";
import { createFleetgate } from "./client";
import { AuthenticationError } from "./errors";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const pending = (code: string) => json(400, { error: { code, message: code } });
const granted = {
  access_token: "acc",
  refresh_token: "ref",
  token_type: "Bearer",
  expires_in: 900,
  user: { id: "u1", username: "ada", display_name: "Ada", role: "operator", mfa_enabled: false, auth_provider: "oidc" },
};
const code = {
  device_code: "d".repeat(43),
  user_code: "BCDF-GHJK",
  verification_uri: "http://fg.test/app/device",
  verification_uri_complete: "http://fg.test/app/device?code=BCDF-GHJK",
  expires_in: 600,
  interval: 2,
};

/** A device-code server answering the polls from `answers` in order. */
function server(answers: Response[]) {
  const polls: unknown[] = [];
  const fetch = async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/v1/auth/device/code") return json(200, code);
    if (path === "/api/v1/auth/device/token") {
      polls.push(await req.json());
      return answers.shift() ?? pending("expired_token");
    }
    return json(404, { error: { code: "not_found", message: "no" } });
  };
  return { fetch, polls };
}

describe("device login (RFC 8628 polling)", () => {
  it("shows the code, polls at the interval, backs off 5 s on slow_down, and keeps the session", async () => {
    const s = server([pending("authorization_pending"), pending("slow_down"), json(200, granted)]);
    const waits: number[] = [];
    const shown: string[] = [];
    const sessions: unknown[] = [];
    const fg = createFleetgate({
      url: "http://fg.test",
      fetch: s.fetch,
      onSessionChange: (x) => void sessions.push(x),
    });
    const r = await fg.auth.deviceLogin({
      clientName: "test",
      onCode: (c) => void shown.push(`${c.userCode} ${c.verificationUri}`),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(shown).toEqual(["BCDF-GHJK http://fg.test/app/device"]);
    expect(waits).toEqual([2000, 2000, 7000]);
    expect(s.polls).toEqual([
      { device_code: code.device_code },
      { device_code: code.device_code },
      { device_code: code.device_code },
    ]);
    expect(r.user.username).toBe("ada");
    expect(fg.auth.credentials).toMatchObject({ kind: "session", accessToken: "acc", refreshToken: "ref" });
    expect(sessions).toHaveLength(1);
  });

  it.each(["access_denied", "expired_token"])("%s ends the login with an AuthenticationError", async (c) => {
    const s = server([pending("authorization_pending"), pending(c)]);
    const fg = createFleetgate({ url: "http://fg.test", fetch: s.fetch });
    const p = fg.auth.deviceLogin({ onCode: () => {}, sleep: async () => {} });
    await expect(p).rejects.toBeInstanceOf(AuthenticationError);
    await expect(p).rejects.toMatchObject({ code: c });
    expect(fg.auth.credentials).toBeUndefined();
  });

  it("an abort while waiting stops polling", async () => {
    const s = server([]);
    const fg = createFleetgate({ url: "http://fg.test", fetch: s.fetch });
    const ac = new AbortController();
    const p = fg.auth.deviceLogin({ onCode: () => ac.abort(new Error("interrupted")), signal: ac.signal });
    await expect(p).rejects.toThrow("interrupted");
    expect(s.polls).toHaveLength(0);
  });
});
