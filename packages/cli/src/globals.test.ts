import { describe, expect, it } from "vitest";
import { splitArgs } from "./globals";
import { globToRegExp, parseSelector } from "./selector";

describe("global flags", () => {
  it("are taken from anywhere before --, and everything after -- passes through", () => {
    const s = splitArgs(["run", "echo", "-o", "json", "--hosts", "web-*", "--context=prod", "-y", "--", "-o", "x"]);
    expect(s.globals).toEqual({ output: "json", context: "prod", yes: true, noColor: false, noInput: false });
    expect(s.args).toEqual(["run", "echo", "--hosts", "web-*"]);
    expect(s.passthrough).toEqual(["-o", "x"]);
  });

  it("refuse a missing value or an unknown format", () => {
    expect(() => splitArgs(["hosts", "list", "-o"])).toThrow("-o needs a value");
    expect(() => splitArgs(["hosts", "list", "--output=yaml"])).toThrow(/unknown output format/);
  });
});

describe("host selectors", () => {
  it("parse keys and bare names/ids", () => {
    expect(parseSelector("group:web,name:db-*,8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10,api-1,os:debian")).toEqual({
      names: ["db-*", "api-1"],
      ids: ["8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10"],
      groups: ["web"],
      os: ["debian"],
      health: [],
      tags: [],
    });
  });

  it("never mean every host: empty or unknown terms are usage errors", () => {
    expect(() => parseSelector(" , ")).toThrow(/needs a selector/);
    expect(() => parseSelector("rack:3")).toThrow(/unknown selector key "rack"/);
    expect(() => parseSelector("name:")).toThrow(/empty value/);
    expect(() => parseSelector("id:web-1")).toThrow(/not a host id/);
    expect(() => parseSelector("tag:env=prod,name:web-1")).toThrow(/tag: combines only/);
  });

  it("globs are anchored and treat regex characters literally", () => {
    expect(globToRegExp("web-*").test("web-01")).toBe(true);
    expect(globToRegExp("web-*").test("xweb-01")).toBe(false);
    expect(globToRegExp("a.b?").test("a.bc")).toBe(true);
    expect(globToRegExp("a.b?").test("axbc")).toBe(false);
  });
});
