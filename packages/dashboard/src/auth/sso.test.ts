import { afterEach, describe, expect, it, vi } from "vitest";
import { ssoErrorMessage } from "../pages/sso-callback.page";
import { session } from "./session";
import { redeemHandoff, startSso, takeSsoNext } from "./sso";

const USER = { id: "u1", username: "ada", display_name: "Ada", role: "operator", mfa_enabled: false };

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("SSO in the dashboard", () => {
  it("redeems a handoff code once, however often it is asked, and signs the tab in", async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal("fetch", async (req: Request) => {
      bodies.push(await req.json());
      return new Response(
        JSON.stringify({ access_token: "t", refresh_token: "r", token_type: "Bearer", expires_in: 900, user: USER }),
        { status: 200, headers: { "Content-Type": "application/json" } },
      );
    });
    const [a, b] = await Promise.all([redeemHandoff("code-1"), redeemHandoff("code-1")]);
    expect(a).toEqual(b);
    expect(bodies).toEqual([{ handoff_code: "code-1" }]);
    expect(session.get()).toMatchObject({ status: "signed-in", user: { username: "ada" } });
    expect(session.token()).toBe("t");
  });

  it("a refused code is the API's message (invalid_handoff), not a sign-in", async () => {
    await session.logout().catch(() => undefined);
    vi.stubGlobal(
      "fetch",
      async () =>
        new Response(
          JSON.stringify({
            error: { code: "invalid_handoff", message: "Handoff code is invalid, expired or already used" },
          }),
          { status: 400, headers: { "Content-Type": "application/json" } },
        ),
    );
    await expect(redeemHandoff("code-2")).rejects.toMatchObject({ status: 400, code: "invalid_handoff" });
    expect(session.get().status).toBe("signed-out");
  });

  it("keeps only dashboard paths as the page to return to", () => {
    vi.stubGlobal("location", { assign: vi.fn() });
    startSso("/api/v1/auth/sso/login", "/hosts?search=web");
    expect(takeSsoNext()).toBe("/hosts?search=web");
    expect(takeSsoNext()).toBe("/");
    startSso("/api/v1/auth/sso/login", "https://evil.example/");
    expect(takeSsoNext()).toBe("/");
  });

  it("names the API's refusal codes", () => {
    expect(ssoErrorMessage("account_disabled")).toMatch(/disabled/);
    expect(ssoErrorMessage("sso_error", "id_token audience")).toBe(
      "The identity provider refused the sign-in. (id_token audience)",
    );
    expect(ssoErrorMessage("weird")).toBe("Single sign-on failed.");
  });
});
