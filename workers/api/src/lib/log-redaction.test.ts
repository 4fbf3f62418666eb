import { describe, expect, it } from "vitest";
import { accessLogPath } from "./log-redaction";

describe("accessLogPath", () => {
  it("replaces enrollment polling tokens and ctrl-exec reqids with their parameter name", () => {
    expect(accessLogPath("/api/v1/enroll/status/eyJhbGciOiJFUzI1NiJ9.secret.sig")).toBe("/api/v1/enroll/status/:token");
    expect(accessLogPath("/status/0123456789abcdef")).toBe("/status/:reqid");
    expect(accessLogPath("/status/0123/../x")).toBe("/status/:reqid");
  });

  it("leaves every other path as it is", () => {
    for (const p of ["/status", "/status/", "/api/v1/status/fleet", "/api/v1/hosts/abc", "/health"]) {
      expect(accessLogPath(p)).toBe(p);
    }
  });
});
