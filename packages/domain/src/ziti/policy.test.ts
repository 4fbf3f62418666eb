import { describe, expect, it } from "vitest";
import {
  accessAllowed,
  grantingPolicies,
  invalidRoles,
  matchesRoles,
  postureByPolicy,
  type Semantic,
  type ServicePolicy,
  sessionRouters,
} from "./policy";

const web = { id: "svc-web", roleAttributes: ["web", "prod"] };
const alice = { id: "id-alice", roleAttributes: ["ops", "eu"] };

describe("matchesRoles", () => {
  const table: [string[], Semantic, boolean][] = [
    [["#all"], "AllOf", true],
    [["#all"], "AnyOf", true],
    [["#web"], "AllOf", true],
    [["#web", "#prod"], "AllOf", true],
    [["#web", "#dev"], "AllOf", false],
    [["#web", "#dev"], "AnyOf", true],
    [["#dev", "#qa"], "AnyOf", false],
    [["@svc-web"], "AllOf", true],
    [["@other"], "AnyOf", false],
    [["@svc-web", "#dev"], "AllOf", true],
    [["@other", "#web", "#dev"], "AllOf", false],
    [[], "AnyOf", false],
    [[], "AllOf", false],
    [["web"], "AnyOf", false],
  ];
  it.each(table)("%j %s → %s", (roles, semantic, expected) => {
    expect(matchesRoles(web, roles, semantic)).toBe(expected);
  });

  it("refuses malformed role entries", () => {
    expect(invalidRoles(["#web", "@id-1", "#all", "web", "#", "@", "# x"])).toEqual(["web", "#", "@", "# x"]);
  });
});

const dial: ServicePolicy = {
  id: "p-dial",
  type: "Dial",
  semantic: "AnyOf",
  identityRoles: ["#ops"],
  serviceRoles: ["#web"],
  postureCheckRoles: ["#needs-mfa"],
};
const bind: ServicePolicy = {
  id: "p-bind",
  type: "Bind",
  semantic: "AllOf",
  identityRoles: ["#ops", "#us"],
  serviceRoles: ["@svc-web"],
  postureCheckRoles: [],
};

describe("service policies", () => {
  it("grants Dial by attribute and not Bind when AllOf misses an attribute", () => {
    const g = grantingPolicies(alice, web, [dial, bind]);
    expect(g.permissions).toEqual(["Dial"]);
    expect(g.policies.map((p) => p.id)).toEqual(["p-dial"]);
  });

  it("grants both when the identity has every attribute the Bind policy needs", () => {
    const g = grantingPolicies({ id: "id-bob", roleAttributes: ["ops", "us"] }, web, [dial, bind]);
    expect(g.permissions).toEqual(["Bind", "Dial"]);
  });

  it("grants nothing to an identity outside every policy", () => {
    expect(grantingPolicies({ id: "x", roleAttributes: [] }, web, [dial, bind]).permissions).toEqual([]);
  });

  const mfa = { id: "pc-mfa", typeId: "MFA", roleAttributes: ["needs-mfa"] };
  const os = { id: "pc-os", typeId: "OS", roleAttributes: ["linux"] };

  it("access of a type needs one granting policy whose posture checks all pass", () => {
    const posture = postureByPolicy([dial], [mfa, os], (c) => c.id !== "pc-mfa");
    expect(posture[0]?.checks.map((c) => c.id)).toEqual(["pc-mfa"]);
    expect(accessAllowed("Dial", posture)).toBe(false);
    expect(
      accessAllowed(
        "Dial",
        postureByPolicy([dial], [mfa, os], () => true),
      ),
    ).toBe(true);
  });

  it("a second policy without posture checks lets the identity in", () => {
    const open: ServicePolicy = { ...dial, id: "p-open", postureCheckRoles: [] };
    const posture = postureByPolicy([dial, open], [mfa], () => false);
    expect(accessAllowed("Dial", posture)).toBe(true);
    expect(accessAllowed("Bind", posture)).toBe(false);
  });
});

describe("edge routers for a session", () => {
  const routers = [
    { id: "er-eu", roleAttributes: ["eu"] },
    { id: "er-us", roleAttributes: ["us"] },
    { id: "er-all", roleAttributes: ["eu", "us"] },
  ];
  it("is the intersection of the identity's and the service's routers", () => {
    const erp = [{ semantic: "AnyOf" as const, subjectRoles: ["#eu"], edgeRouterRoles: ["#eu"] }];
    const serp = [{ semantic: "AnyOf" as const, subjectRoles: ["#all"], edgeRouterRoles: ["#us"] }];
    expect(sessionRouters(alice, web, routers, erp, serp).map((r) => r.id)).toEqual(["er-all"]);
    expect(sessionRouters(alice, web, routers, [], serp)).toEqual([]);
  });
});
