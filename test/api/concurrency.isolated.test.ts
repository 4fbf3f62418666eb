import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

describe("concurrent mutations", () => {
  it("20 concurrent user creations all succeed and keep the audit chain intact", async () => {
    const admin = await adminLogin();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const username = `conc-${Date.now().toString(36)}-${i}`;
        return call("/api/v1/users", {
          method: "POST",
          headers: bearer(admin),
          json: { username, email: `${username}@x.test`, role: "reporter", password: "Conc-Pass-123!" },
        });
      }),
    );
    const statuses = await Promise.all(
      results.map(async (r) => (r.status === 200 ? 200 : `${r.status} ${await r.text()}`)),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const integrity = (await (
      await call("/api/v1/settings/audit-integrity", { method: "POST", headers: bearer(admin) })
    ).json()) as {
      intact: boolean;
    };
    expect(integrity.intact).toBe(true);
  });
});
