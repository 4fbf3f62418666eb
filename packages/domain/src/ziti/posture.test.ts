import { describe, expect, it } from "vitest";
import { evaluatePosture, type PostureResponse, versionSatisfies } from "./posture";

const NOW = 1_700_000_000_000;
const resp = (checkId: string, typeId: string, data: Record<string, unknown>, at = NOW - 1000): PostureResponse => ({
  checkId,
  typeId,
  data,
  updatedAt: at,
});
const noMfa = { mfaAt: null, now: NOW };

describe("posture checks", () => {
  it.each([
    ["10.0.19041", ">=10.0.0", true],
    ["9.9", ">=10.0.0", false],
    ["11", "<11", false],
    ["10.5", "<11", true],
    ["12.1", "=12.1.0", true],
    ["22.04.3", "22.04", true],
    ["22.040", "22.04", false],
    ["1.0", "garbage", false],
  ])("version %s satisfies %s → %s", (v, c, ok) => {
    expect(versionSatisfies(v, c)).toBe(ok);
  });

  const os = { id: "os", typeId: "OS", params: { operatingSystems: [{ type: "Linux", versions: [">=5.10"] }] } };
  it("OS passes on a matching type and version only", () => {
    expect(evaluatePosture(os, [resp("os", "OS", { type: "linux", version: "6.1.0" })], noMfa).isPassing).toBe(true);
    expect(evaluatePosture(os, [resp("os", "OS", { type: "linux", version: "4.19" })], noMfa).isPassing).toBe(false);
    expect(evaluatePosture(os, [resp("os", "OS", { type: "windows", version: "10" })], noMfa).isPassing).toBe(false);
    expect(evaluatePosture(os, [], noMfa).isPassing).toBe(false);
  });

  const proc = { id: "p", typeId: "PROCESS", params: { process: { path: "/usr/bin/av", hashes: ["AB"] } } };
  it("PROCESS needs the path running with an allowed hash", () => {
    const ok = { processes: { "/usr/bin/av": { path: "/usr/bin/av", isRunning: true, hash: "ab" } } };
    const stopped = { processes: { "/usr/bin/av": { path: "/usr/bin/av", isRunning: false, hash: "ab" } } };
    const wrongHash = { processes: { "/usr/bin/av": { path: "/usr/bin/av", isRunning: true, hash: "cd" } } };
    expect(evaluatePosture(proc, [resp("p", "PROCESS", ok)], noMfa).isPassing).toBe(true);
    expect(evaluatePosture(proc, [resp("p", "PROCESS", stopped)], noMfa).isPassing).toBe(false);
    expect(evaluatePosture(proc, [resp("p", "PROCESS", wrongHash)], noMfa).isPassing).toBe(false);
  });

  it("PROCESS_MULTI honours AllOf and AnyOf", () => {
    const specs = [{ path: "/a" }, { path: "/b" }];
    const data = { processes: { "/a": { path: "/a", isRunning: true } } };
    const allOf = { id: "m", typeId: "PROCESS_MULTI", params: { semantic: "AllOf", processes: specs } };
    const anyOf = { id: "m", typeId: "PROCESS_MULTI", params: { semantic: "AnyOf", processes: specs } };
    expect(evaluatePosture(allOf, [resp("m", "PROCESS", data)], noMfa).isPassing).toBe(false);
    expect(evaluatePosture(anyOf, [resp("m", "PROCESS", data)], noMfa).isPassing).toBe(true);
  });

  it("DOMAIN and MAC compare case- and separator-insensitively", () => {
    const dom = { id: "d", typeId: "DOMAIN", params: { domains: ["CORP.example"] } };
    expect(evaluatePosture(dom, [resp("d", "DOMAIN", { domain: "corp.EXAMPLE" })], noMfa).isPassing).toBe(true);
    expect(evaluatePosture(dom, [resp("d", "DOMAIN", { domain: "evil.example" })], noMfa).isPassing).toBe(false);
    const mac = { id: "m", typeId: "MAC", params: { macAddresses: ["AA:BB:CC:DD:EE:FF"] } };
    expect(evaluatePosture(mac, [resp("m", "MAC", { macAddresses: ["aabbccddeeff", "11"] })], noMfa).isPassing).toBe(
      true,
    );
    expect(evaluatePosture(mac, [resp("m", "MAC", { macAddresses: ["001122334455"] })], noMfa).isPassing).toBe(false);
  });

  it("MFA passes after the session's MFA and times out with timeoutRemaining counting down", () => {
    const mfa = { id: "mfa", typeId: "MFA", params: { timeoutSeconds: 600 } };
    expect(evaluatePosture(mfa, [], noMfa)).toMatchObject({ isPassing: false });
    expect(evaluatePosture(mfa, [], { mfaAt: NOW - 60_000, now: NOW })).toEqual({
      isPassing: true,
      timeout: 600,
      timeoutRemaining: 540,
    });
    expect(evaluatePosture(mfa, [], { mfaAt: NOW - 601_000, now: NOW })).toMatchObject({
      isPassing: false,
      timeoutRemaining: 0,
    });
    const forever = { id: "mfa", typeId: "MFA", params: { timeoutSeconds: -1 } };
    expect(evaluatePosture(forever, [], { mfaAt: NOW - 86_400_000, now: NOW })).toEqual({
      isPassing: true,
      timeout: -1,
      timeoutRemaining: -1,
    });
  });

  it("MFA with promptOnWake fails once a wake is reported after the MFA answer", () => {
    const mfa = { id: "mfa", typeId: "MFA", params: { timeoutSeconds: -1, promptOnWake: true } };
    const woke = resp("state", "ENDPOINT_STATE", { woken: true }, NOW - 1000);
    expect(evaluatePosture(mfa, [woke], { mfaAt: NOW - 5000, now: NOW }).isPassing).toBe(false);
    expect(evaluatePosture(mfa, [woke], { mfaAt: NOW - 500, now: NOW }).isPassing).toBe(true);
  });
});
