import { describe, expect, it } from "vitest";
import { certExtendRequested } from "./cert-extension";

const DAY = 86_400_000;
const cert = { notBefore: 1_000 * DAY, notAfter: 1_000 * DAY + 365 * DAY };

describe("certExtendRequested (past half the certificate's lifetime)", () => {
  it.each([
    ["just issued", cert.notBefore, false],
    ["one day before half", cert.notBefore + 182.5 * DAY - DAY, false],
    ["exactly half", cert.notBefore + 182.5 * DAY, true],
    ["a day before expiry", cert.notAfter - DAY, true],
    ["expired", cert.notAfter + DAY, true],
  ])("%s → %s", (_label, now, expected) => {
    expect(certExtendRequested(cert, now)).toBe(expected);
  });

  it("a certificate with no lifetime is always due", () => {
    expect(certExtendRequested({ notBefore: 5, notAfter: 5 }, 0)).toBe(true);
  });
});
