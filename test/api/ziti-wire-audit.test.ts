import { describe, expect, it } from "vitest";
import { errorOf, nativeUser, zcall, ztSession } from "./ziti-helpers";

/** Findings of the wire-format audit against ziti-edge-client.md that no other test pinned. */
describe("Ziti error envelope args (ziti-edge-client.md §2: `args.urlVars` carries the route's path variables)", () => {
  it("a 404 for an unknown service names the id it looked for in args.urlVars", async () => {
    const u = await nativeUser("operator");
    const session = await ztSession(u.username, u.password);
    const id = crypto.randomUUID();
    const res = await zcall(`/services/${id}`, { session });
    expect(res.status).toBe(404);
    const err = await errorOf(res);
    expect(err.code).toBe("NOT_FOUND");
    expect(err.args).toEqual({ urlVars: { id } });
  });

  it("a path no route matches has empty urlVars", async () => {
    const res = await zcall(`/no-such-${crypto.randomUUID().slice(0, 8)}`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).args).toEqual({ urlVars: {} });
  });
});
