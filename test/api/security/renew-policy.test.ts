import { env } from "cloudflare:workers";
import {
  activeCertificateBySha256,
  createDomainContext,
  DomainError,
  issueHostCertificate,
  renewWithCsr,
} from "@fleetgate/domain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../helpers";
import { agentProof, enrolledHost, keyPair, thumbprints, webCryptoCsr } from "../pki-helpers";

// Finding 2 of issue 11: a host could chain renewals (each one a signature, a
// revocation and — before — a new CRL row). Renewal is refused before half the
// certificate's lifetime (the agent renews at two thirds) and limited per host.

const DAY = 86_400_000;
const ctx = () => createDomainContext(env, { requestId: `renew-${crypto.randomUUID()}`, issuer: "http://127.0.0.1" });
const RENEW = "http://127.0.0.1/agent/v1/renew";
const renew = async (h: { certPem: string; keys: CryptoKeyPair; identity_id: string }) =>
  call("/agent/v1/renew", {
    method: "POST",
    headers: { authorization: `Bearer ${await agentProof(h, RENEW)}` },
    json: { csr: await webCryptoCsr(`CN=${h.identity_id}`, await keyPair()) },
  });

afterEach(() => {
  vi.useRealTimers();
});

describe("renewal policy", () => {
  it("a renewal before half the lifetime → 429 with Retry-After, the certificate unchanged; after it → 200", async () => {
    const h = await enrolledHost();
    const early = await renew(h);
    expect(early.status).toBe(429);
    const retryAfter = Number(early.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(14 * 86_400);
    const current = await activeCertificateBySha256(await ctx(), (await thumbprints(h.certPem)).hex);
    expect(current?.status).toBe("active");
    if (!current) return;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(current.notBefore + (current.notAfter - current.notBefore) / 2 + 60_000);
    expect((await renew(h)).status).toBe(200);
  });

  it("at most 4 renewals per host a day, however many certificates it holds", async () => {
    const h = await enrolledHost();
    const d = await ctx();
    const first = await activeCertificateBySha256(d, (await thumbprints(h.certPem)).hex);
    if (!first?.hostId) throw new Error("no host certificate");
    const rows = [first];
    for (let i = 0; i < 4; i++) rows.push((await issueHostCertificate(d, first.hostId)).client.row);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 16 * DAY);
    const outcomes: string[] = [];
    for (const row of rows) {
      try {
        await renewWithCsr(await ctx(), row, await webCryptoCsr(`CN=${row.commonName}`));
        outcomes.push("ok");
      } catch (err) {
        outcomes.push(err instanceof DomainError ? err.code : String(err));
      }
    }
    expect(outcomes).toEqual(["ok", "ok", "ok", "ok", "common.rate_limited"]);
  });
});
