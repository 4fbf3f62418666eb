import { describe, expect, it } from "vitest";
import { ipInCidrs, parseCidr, parseIp } from "./cidr";

describe("CIDR matching", () => {
  it("parses IPv4, IPv6 (compressed, mixed) and refuses garbage", () => {
    expect(parseIp("10.0.0.1")).toBe((0xffffn << 32n) | 0x0a000001n);
    expect(parseIp("::1")).toBe(1n);
    expect(parseIp("::ffff:10.0.0.1")).toBe(parseIp("10.0.0.1"));
    for (const bad of ["", "10.0.0", "10.0.0.256", "01.2.3.4", "1::2::3", "g::1", "1.2.3.4.5", "example.com"]) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });

  it("refuses blocks with host bits set or prefixes out of range", () => {
    expect(parseCidr("10.0.0.0/8")).toBeDefined();
    expect(parseCidr("10.0.0.1/8")).toBeUndefined();
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("2001:db8::/32")).toBeDefined();
    expect(parseCidr("2001:db8::1/32")).toBeUndefined();
    expect(parseCidr("::/129")).toBeUndefined();
    expect(parseCidr("192.0.2.7")).toEqual({ base: parseIp("192.0.2.7"), bits: 128 });
  });

  it("matches addresses inside the blocks only", () => {
    const cidrs = ["10.20.0.0/16", "2001:db8::/32", "192.0.2.7"];
    expect(ipInCidrs("10.20.255.1", cidrs)).toBe(true);
    expect(ipInCidrs("10.21.0.1", cidrs)).toBe(false);
    expect(ipInCidrs("2001:db8:ffff::1", cidrs)).toBe(true);
    expect(ipInCidrs("2001:db9::1", cidrs)).toBe(false);
    expect(ipInCidrs("192.0.2.7", cidrs)).toBe(true);
    expect(ipInCidrs("192.0.2.8", cidrs)).toBe(false);
    expect(ipInCidrs("::ffff:10.20.0.1", cidrs)).toBe(true);
    expect(ipInCidrs("10.0.0.1", ["0.0.0.0/0"])).toBe(true);
    expect(ipInCidrs("2001:db8::1", ["0.0.0.0/0"])).toBe(false);
    expect(ipInCidrs("2001:db8::1", ["::/0"])).toBe(true);
    expect(ipInCidrs("", cidrs)).toBe(false);
    expect(ipInCidrs("10.20.0.1", [])).toBe(false);
  });
});
