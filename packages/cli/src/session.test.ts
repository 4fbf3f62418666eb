import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { err, json, startHarness } from "./test-harness";

const h = await startHarness();
afterAll(() => h.close());
afterEach(() => h.reset());

const me = { id: "u1", username: "ada", display_name: "Ada", role: "operator", mfa_enabled: false, email: null };
const credentialsFile = () => path.join(h.home, "cfg/fleetgate/credentials.json");

describe("login --sso (device code approved in the dashboard)", () => {
  it("shows the code and the approval URL, polls, and stores the approved session", async () => {
    let polls = 0;
    h.handle((req, body, res) => {
      if (req.url === "/api/v1/auth/device/code") {
        expect(JSON.parse(body).client_name).toMatch(/^fleetgate CLI on /);
        return json(res, 200, {
          device_code: "d".repeat(43),
          user_code: "BCDF-GHJK",
          verification_uri: `${h.url}/app/device`,
          verification_uri_complete: `${h.url}/app/device?code=BCDF-GHJK`,
          expires_in: 600,
          interval: 1,
        });
      }
      if (req.url === "/api/v1/auth/device/token") {
        polls++;
        return json(res, 200, {
          access_token: "acc-sso",
          refresh_token: "ref-sso",
          token_type: "Bearer",
          expires_in: 900,
          user: { ...me, auth_provider: "oidc" },
        });
      }
      err(res, 404, "not_found", "no");
    });
    const r = await h.cli(["login", "--sso", "--url", h.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`open ${h.url}/app/device and check that it shows the code BCDF-GHJK`);
    expect(r.stderr).toContain("as ada (operator) through SSO");
    expect(polls).toBe(1);
    expect(JSON.parse(readFileSync(credentialsFile(), "utf8")).contexts.default).toMatchObject({
      kind: "session",
      access_token: "acc-sso",
      refresh_token: "ref-sso",
      username: "ada",
    });
  });

  it("a denied code exits 4 and stores nothing", async () => {
    h.handle((req, _b, res) => {
      if (req.url === "/api/v1/auth/device/code") {
        return json(res, 200, {
          device_code: "d".repeat(43),
          user_code: "BCDF-GHJK",
          verification_uri: "x",
          verification_uri_complete: "x",
          expires_in: 600,
          interval: 1,
        });
      }
      err(res, 400, "access_denied", "denied");
    });
    const r = await h.cli(["login", "--sso", "--url", h.url]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("The sign-in was denied");
    expect(() => readFileSync(credentialsFile())).toThrow();
  });
});

describe("a stored session shared by concurrent fleetgate processes", () => {
  it("is refreshed once: the others use the new session instead of replaying the rotated-out token", async () => {
    // The server rotates refresh tokens and treats a reused one as theft (the whole family ends).
    let current = "ref-1";
    let generation = 1;
    let familyRevoked = false;
    const refreshes: string[] = [];
    h.handle((req, body, res) => {
      if (req.url === "/api/v1/auth/refresh") {
        const token = (JSON.parse(body) as { refresh_token: string }).refresh_token;
        refreshes.push(token);
        if (familyRevoked || token !== current) {
          familyRevoked = true;
          return err(res, 401, "invalid_token", "Refresh token reused; session ended");
        }
        generation++;
        current = `ref-${generation}`;
        // Slow enough that the other processes start their own refresh meanwhile.
        setTimeout(
          () =>
            json(res, 200, {
              access_token: `acc-${generation}`,
              refresh_token: current,
              token_type: "Bearer",
              expires_in: 900,
            }),
          150,
        );
        return;
      }
      if (req.url === "/api/v1/users/me") {
        if (familyRevoked || req.headers.authorization !== `Bearer acc-${generation}`) {
          return err(res, 401, "unauthorized", "expired");
        }
        return json(res, 200, me);
      }
      err(res, 404, "not_found", "no");
    });
    // A stored session whose access token has expired.
    mkdirSync(path.dirname(credentialsFile()), { recursive: true });
    writeFileSync(
      path.join(h.home, "cfg/fleetgate/config.json"),
      JSON.stringify({ current_context: "default", contexts: { default: { url: h.url } } }),
    );
    writeFileSync(
      credentialsFile(),
      JSON.stringify({
        contexts: {
          default: { kind: "session", access_token: "acc-1", refresh_token: "ref-1", expires_at: Date.now() - 1000 },
        },
      }),
      { mode: 0o600 },
    );
    const runs = await Promise.all([1, 2, 3].map(() => h.cli(["whoami", "-o", "json"])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(refreshes).toEqual(["ref-1"]);
    expect(familyRevoked).toBe(false);
    expect(JSON.parse(readFileSync(credentialsFile(), "utf8")).contexts.default.refresh_token).toBe("ref-2");
  });
});
