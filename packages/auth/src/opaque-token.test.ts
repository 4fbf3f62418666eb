import { describe, expect, it } from "vitest";
import { fromBase64Url } from "./crypto";
import { newPollingToken, newRefreshToken, newSessionToken, newTicket } from "./opaque-token";

describe("newRefreshToken", () => {
  it("is 64 lowercase hex characters", () => {
    expect(newRefreshToken()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs on every call", () => {
    expect(newRefreshToken()).not.toBe(newRefreshToken());
  });
});

describe("newSessionToken", () => {
  it("is a lowercase UUIDv4", () => {
    expect(newSessionToken()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("differs on every call", () => {
    expect(newSessionToken()).not.toBe(newSessionToken());
  });
});

describe("newPollingToken", () => {
  it("is 64 alphanumeric characters", () => {
    expect(newPollingToken()).toMatch(/^[0-9a-zA-Z]{64}$/);
  });

  it("differs on every call", () => {
    expect(newPollingToken()).not.toBe(newPollingToken());
  });
});

describe("newTicket", () => {
  it("is 43 base64url characters encoding 32 bytes", () => {
    const t = newTicket();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fromBase64Url(t)?.length).toBe(32);
  });

  it("differs on every call", () => {
    expect(newTicket()).not.toBe(newTicket());
  });
});
