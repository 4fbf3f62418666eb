import { describe, expect, it } from "vitest";
import { PATCH_FORM_DEFAULTS, type PatchForm, patchJobBody } from "./patch-plan";

const H1 = "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10";
const H2 = "9422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10";
const WIN = "7422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10";
const form = (over: Partial<PatchForm> = {}): PatchForm => ({ ...PATCH_FORM_DEFAULTS, what: "all", ...over });

describe("patchJobBody", () => {
  it("builds the patch_apply body: every pending update, now", () => {
    expect(patchJobBody([H1, H2, H1], form({ notes: "monthly" }))).toEqual({
      ok: true,
      body: {
        kind: "patch_apply",
        host_ids: [H1, H2],
        packages: [],
        security_only: false,
        immediate: true,
        max_parallel: 64,
        error_threshold: null,
        timeout_seconds: 3600,
        notes: "monthly",
      },
    });
  });
  it("security only, named packages, a window and thresholds", () => {
    const sec = patchJobBody([H1], form({ what: "security", errorThreshold: "10%" }));
    expect(sec.ok && sec.body.security_only && sec.body.error_threshold).toBe("10%");
    const pk = patchJobBody([H1], form({ what: "packages", packages: "openssl, libssl3\ncurl", errorThreshold: "2" }));
    expect(pk.ok && pk.body.packages).toEqual(["openssl", "libssl3", "curl"]);
    expect(pk.ok && pk.body.error_threshold).toBe(2);
    const win = patchJobBody([H1], form({ when: WIN, expectedMinutes: 30 }));
    expect(win.ok && [win.body.immediate, win.body.maintenance_window_id, win.body.expected_minutes]).toEqual([
      false,
      WIN,
      30,
    ]);
    const own = patchJobBody([H1], form({ when: "windows" }));
    expect(own.ok && own.body).toMatchObject({ immediate: false, expected_minutes: 15 });
    expect(own.ok && "maintenance_window_id" in own.body).toBe(false);
  });
  it("rings from ring sizes in selection order; a health gate with on_health_failure", () => {
    const H3 = "a422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10";
    const r = patchJobBody([H1, H2, H3], form({ rings: "1, 2", onHealthFailure: "rollback" }));
    expect(r.ok && [r.body.rings, r.body.on_health_failure]).toEqual([[[H1], [H2, H3]], "rollback"]);
    const stop = patchJobBody([H1, H2], form({ rings: "1 1" }));
    expect(stop.ok && stop.body.on_health_failure).toBe("stop");
    const gateOnly = patchJobBody([H1], form({ onHealthFailure: "stop" }));
    expect(gateOnly.ok && ["rings" in gateOnly.body, gateOnly.body.on_health_failure]).toEqual([false, "stop"]);
    expect(patchJobBody([H1, H2], form({ rings: "1" }))).toMatchObject({ ok: false, field: "rings" });
    expect(patchJobBody([H1, H2], form({ rings: "0, 2" }))).toMatchObject({ ok: false, field: "rings" });
    expect(patchJobBody([H1, H2], form({ rings: "a" }))).toMatchObject({ ok: false, field: "rings" });
    const plain = patchJobBody([H1], form());
    expect(plain.ok && ["rings" in plain.body, "on_health_failure" in plain.body]).toEqual([false, false]);
  });
  it("names the wrong field instead of sending what the server must refuse", () => {
    expect(patchJobBody([], form())).toMatchObject({ ok: false, field: "what" });
    expect(patchJobBody([H1], form({ what: "packages", packages: " , " }))).toMatchObject({
      ok: false,
      field: "packages",
    });
    expect(patchJobBody([H1], form({ what: "packages", packages: "openssl; rm -rf /" }))).toMatchObject({
      ok: false,
      field: "packages",
      message: "Not a package name: openssl;",
    });
    expect(patchJobBody([H1], form({ errorThreshold: "101%" }))).toMatchObject({ ok: false, field: "errorThreshold" });
    expect(patchJobBody([H1], form({ errorThreshold: "-1" }))).toMatchObject({ ok: false, field: "errorThreshold" });
    expect(patchJobBody([H1], form({ maxParallel: 0 }))).toMatchObject({ ok: false, field: "maxParallel" });
    expect(patchJobBody([H1], form({ timeoutSeconds: 59 }))).toMatchObject({ ok: false, field: "timeoutSeconds" });
    expect(patchJobBody([H1], form({ when: "windows", expectedMinutes: 0 }))).toMatchObject({
      ok: false,
      field: "expectedMinutes",
    });
  });
});
