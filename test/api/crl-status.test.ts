import { env } from "cloudflare:workers";
import { crlInfo } from "@fleetgate/pki";
import { afterAll, describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { parseCsv } from "./csv-parse";
import { call } from "./helpers";
import { createGroup } from "./task-helpers";

const agents: SimAgent[] = [];
afterAll(() => {
  for (const a of agents) a.ws.close();
});

const getJson = async <T>(path: string, headers: Record<string, string>) => {
  const res = await call(path, { headers });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** The current CRL as an agent holding it reports it. */
async function currentCrlReport() {
  const res = await call("/api/v1/pki/crl.pem");
  expect(res.status).toBe(200);
  const info = crlInfo(await res.text());
  const row = await env.DB.prepare("SELECT number FROM issuer_crls ORDER BY next_update DESC LIMIT 1").first<{
    number: number;
  }>();
  return {
    crl_number: String(row?.number ?? 0),
    issuer: info.issuer,
    next_update: info.nextUpdate?.getTime() ?? 0,
    this_update: info.thisUpdate.getTime(),
  };
}

describe("crl_status from the CRL each agent reports", () => {
  it("counts valid, expired, missing, invalid and not_reporting hosts; GET /hosts shows and sorts it", async () => {
    const admin = bearer(await adminLogin());
    const group = await createGroup(`crl-${crypto.randomUUID().slice(0, 8)}`);
    const held = await currentCrlReport();
    const cases = {
      valid: held,
      // An agent that does not report thisUpdate (older version): no crl_age_seconds.
      expired: { ...held, next_update: Date.now() - 60_000, this_update: undefined },
      missing: { error: "missing" as const },
      invalid: { error: "invalid" as const, detail: "signature does not verify" },
      wrongIssuer: { ...held, issuer: "CN=Someone Else" },
      unknownNumber: { ...held, crl_number: String(BigInt(held.crl_number) + 1000n) },
      tooOld: undefined,
    };
    const ids: Record<string, string> = {};
    for (const [name, crl] of Object.entries(cases)) {
      const host = await enrollHost();
      ids[name] = host.id;
      const res = await call(`/api/v1/hosts/${host.id}/groups`, {
        method: "POST",
        headers: admin,
        json: { group_id: group },
      });
      expect(res.status).toBe(200);
      agents.push(await connectAgent(host, crl ? { crl } : {}));
    }
    const s = await getJson<Record<string, number>>(`/api/v1/status/fleet?group_id=${group}`, admin);
    expect(s).toMatchObject({
      total_hosts: 7,
      crl_valid: 1,
      crl_expired: 1,
      crl_missing: 1,
      crl_invalid: 3,
      crl_not_reporting: 1,
    });

    type Detail = { crl_status: string; crl_next_update: string | null; crl_age_seconds: number | null };
    const before = Date.now();
    const detail = await getJson<Detail>(`/api/v1/hosts/${ids.valid}`, admin);
    const after = Date.now();
    expect(detail.crl_status).toBe("valid");
    expect(detail.crl_next_update).toBe(new Date(held.next_update).toISOString());
    // crl_age_seconds: seconds since the held CRL's thisUpdate, at the time of the request.
    expect(detail.crl_age_seconds).toBeGreaterThanOrEqual(Math.floor((before - held.this_update) / 1000));
    expect(detail.crl_age_seconds).toBeLessThanOrEqual(Math.ceil((after - held.this_update) / 1000));
    const noThisUpdate = await getJson<Detail>(`/api/v1/hosts/${ids.expired}`, admin);
    expect(noThisUpdate).toMatchObject({ crl_status: "expired", crl_age_seconds: null });
    const old = await getJson<Detail>(`/api/v1/hosts/${ids.tooOld}`, admin);
    expect(old).toMatchObject({ crl_status: "not_reporting", crl_next_update: null, crl_age_seconds: null });

    const list = await getJson<{ hosts: { id: string; crl_status: string }[] }>(
      `/api/v1/hosts?group_id=${group}&sort_by=crl_status&order=asc&limit=100`,
      admin,
    );
    expect(list.hosts.map((h) => h.crl_status)).toEqual([
      "expired",
      "invalid",
      "invalid",
      "invalid",
      "missing",
      "not_reporting",
      "valid",
    ]);

    const csv = await call(`/api/v1/reports/compliance?format=csv&group_id=${group}`, { headers: admin });
    expect(csv.status).toBe(200);
    const rows = parseCsv(await csv.text());
    const header = rows[0] ?? [];
    const byId = Object.fromEntries(
      rows.slice(1).map((r) => [r[header.indexOf("host_id")], r[header.indexOf("crl_status")]]),
    );
    expect(byId).toEqual({
      [ids.valid ?? ""]: "valid",
      [ids.expired ?? ""]: "expired",
      [ids.missing ?? ""]: "missing",
      [ids.invalid ?? ""]: "invalid",
      [ids.wrongIssuer ?? ""]: "invalid",
      [ids.unknownNumber ?? ""]: "invalid",
      [ids.tooOld ?? ""]: "not_reporting",
    });
  });

  it("a crl_state frame updates the host; a later hello without a report makes it not_reporting", async () => {
    const admin = bearer(await adminLogin());
    const host = await enrollHost();
    const agent = await connectAgent(host, { crl: { error: "missing" } });
    agents.push(agent);
    const status = async () => (await getJson<{ crl_status: string }>(`/api/v1/hosts/${host.id}`, admin)).crl_status;
    expect(await status()).toBe("missing");
    agent.send({ type: "crl_state", crl: await currentCrlReport() });
    await eventually(async () => (await status()) === "valid");
    agent.ws.close();
    const again = await connectAgent(host);
    agents.push(again);
    expect(await status()).toBe("not_reporting");
  });

  it("a malformed CRL report is refused by the protocol schema and records nothing", async () => {
    const admin = bearer(await adminLogin());
    const host = await enrollHost();
    const agent = await connectAgent(host, { crl: { error: "invalid" } });
    agents.push(agent);
    agent.ws.send(JSON.stringify({ type: "crl_state", crl: { crl_number: "-1", issuer: "x", next_update: 1 } }));
    agent.send({ type: "crl_state", crl: { error: "missing" } });
    const status = async () => (await getJson<{ crl_status: string }>(`/api/v1/hosts/${host.id}`, admin)).crl_status;
    // Frames are handled in order: once the valid one is recorded, the malformed one was dropped.
    await eventually(async () => (await status()) === "missing");
  });
});
