import { describe, expect, it } from "vitest";
import { networkKey } from "./network-key";

describe("networkKey", () => {
  it("IPv4 → its /24, IPv6 → its /64", () => {
    expect(networkKey("192.0.2.77")).toBe("192.0.2.0/24");
    expect(networkKey("192.0.2.1")).toBe(networkKey("192.0.2.254"));
    expect(networkKey("192.0.3.1")).not.toBe(networkKey("192.0.2.1"));
    expect(networkKey("2001:db8:1:2::5")).toBe(networkKey("2001:db8:1:2:ffff::1"));
    expect(networkKey("2001:db8:1:3::5")).not.toBe(networkKey("2001:db8:1:2::5"));
  });
  it("keys unparseable input as given", () => {
    expect(networkKey("not-an-ip")).toBe("not-an-ip");
  });
});
