import { describe, expect, it } from "vitest";
import committed from "../../packages/sdk/openapi/v1.json";
import { call } from "./helpers";

/**
 * The SDK's types are generated from packages/sdk/openapi/v1.json (`pnpm gen:api`). If this fails, the
 * API changed: run `npx -y pnpm@10 gen:api` and commit the regenerated document and types.
 */
describe("the SDK's committed OpenAPI document", () => {
  it("equals the native document the Worker serves", async () => {
    const res = await call("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const served = (await res.json()) as Record<string, unknown>;
    expect({ ...served, servers: [{ url: "/api/v1" }] }).toEqual(committed);
  });
});
