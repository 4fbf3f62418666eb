import { describe, expect, it } from "vitest";
import committed from "../../packages/dashboard/openapi/native.json";
import { call } from "./helpers";

/**
 * The dashboard's API types are generated from packages/dashboard/openapi/native.json. This
 * fails when the native face's served document changed without regenerating them:
 * run `pnpm --filter @fleetgate/dashboard gen:api` and commit the result.
 */
describe("dashboard API types", () => {
  it("the committed OpenAPI document equals the one the native face serves", async () => {
    const res = await call("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const served = (await res.json()) as Record<string, unknown>;
    served.servers = [{ url: "/api/v1" }];
    const { info: _a, ...servedRest } = served;
    const { info: _b, ...committedRest } = committed as Record<string, unknown>;
    expect(servedRest).toEqual(committedRest);
  });
});
