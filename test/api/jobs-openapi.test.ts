import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("the native OpenAPI document documents hosts, jobs, live and settings routes", () => {
  it("is generated", async () => {
    const res = await call("/api/v1/openapi.json");
    if (res.status !== 200) console.log(await res.text());
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const p of [
      "/hosts",
      "/hosts/{id}",
      "/hosts/{id}/groups",
      "/hosts/{id}/groups/{group_id}",
      "/hosts/{id}/scripts",
      "/jobs",
      "/jobs/{id}",
      "/jobs/{id}/cancel",
      "/jobs/{id}/hosts/{host_id}/output",
      "/ws/ticket",
      "/settings/ctrl-exec",
      "/ws/jobs",
    ]) {
      expect(doc.paths, p).toHaveProperty(p);
    }
  });
});
