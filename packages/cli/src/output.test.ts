import type { HostSummary } from "@fleetgate/sdk";
import { describe, expect, it } from "vitest";
import { hostColumns } from "./commands/columns";
import { csv, parseFormat, renderList, renderObject } from "./output";

const host = (over: Partial<HostSummary>): HostSummary => ({
  id: "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10",
  name: "web-01",
  fqdn: "web-01.example.test",
  ip_address: "10.0.0.1",
  display_name: "Web 1",
  os_family: "debian",
  os_name: "Debian 12",
  health_status: "healthy",
  agent_version: "0.1.0",
  patches_missing: 0,
  health_check_status: null,
  registered_at: "2026-06-02T10:11:12.123Z",
  crl_status: "not_reporting",
  online: true,
  last_seen_at: "2026-06-02T10:11:12.123Z",
  ...over,
});

const hosts = [
  host({}),
  host({
    id: "b1e0c2a4-1111-4222-8333-444455556666",
    name: "db-01",
    fqdn: "db-01.example.test",
    os_name: 'RHEL 9, "minimal"',
    online: false,
    last_seen_at: null,
  }),
];
const body = { hosts, total: 2, limit: 50, offset: 0 };

describe("output formats", () => {
  it("table: aligned columns with upper-case headers", () => {
    expect(renderList("table", body, hosts, hostColumns)).toMatchInlineSnapshot(`
      "ID                                    NAME    FQDN                 OS                 ONLINE  HEALTH   AGENT  LAST SEEN
      8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10  web-01  web-01.example.test  Debian 12          yes     healthy  0.1.0  2026-06-02T10:11:12.123Z
      b1e0c2a4-1111-4222-8333-444455556666  db-01   db-01.example.test   RHEL 9, "minimal"  no      healthy  0.1.0
      "
    `);
  });

  it("csv: RFC 4180 quoting and CRLF", () => {
    expect(renderList("csv", body, hosts, hostColumns).split("\r\n")).toEqual([
      "id,name,fqdn,os,online,health,agent,last seen",
      "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10,web-01,web-01.example.test,Debian 12,yes,healthy,0.1.0,2026-06-02T10:11:12.123Z",
      'b1e0c2a4-1111-4222-8333-444455556666,db-01,db-01.example.test,"RHEL 9, ""minimal""",no,healthy,0.1.0,',
      "",
    ]);
  });

  it("json: the API body unchanged; ndjson: one item per line", () => {
    expect(JSON.parse(renderList("json", body, hosts, hostColumns))).toEqual(body);
    const lines = renderList("ndjson", body, hosts, hostColumns).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(hosts);
  });

  it("an empty list prints nothing as a table (and a header in CSV)", () => {
    expect(renderList("table", { hosts: [] }, [], hostColumns)).toBe("");
    expect(renderList("csv", { hosts: [] }, [], hostColumns)).toBe("id,name,fqdn,os,online,health,agent,last seen\r\n");
  });

  it("escapes control characters so a value cannot forge table lines or terminal codes", () => {
    const out = renderList("table", {}, [host({ name: "evil\n\u001b[31mred" })], hostColumns);
    expect(out.split("\n")).toHaveLength(3);
    expect(out).not.toContain("\u001b");
    expect(out).toContain("evil\\n\\u001b[31mred");
  });

  it("an object as FIELD VALUE lines", () => {
    expect(renderObject("table", { username: "ada", role: "admin", mfa_enabled: true })).toMatchInlineSnapshot(`
      "username     ada
      role         admin
      mfa_enabled  true
      "
    `);
  });

  it("rejects an unknown format", () => {
    expect(() => parseFormat("yaml")).toThrow(/unknown output format "yaml"/);
    expect(csv([], [])).toBe("\r\n");
  });
});
