import { read, utils } from "@e965/xlsx";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { wrangler } from "../../scripts/lib/local-server.mjs";
import { adminAccess } from "./admin-login";

/**
 * A CI job's whole path, as a person would run it with curl: a real OIDC
 * provider on loopback mints a GitHub-Actions-like ID token; the job exchanges
 * it for a ztls_ token, starts an export with `Authorization: Token`, polls
 * task_result, follows download_url through its redirect, and reads the file.
 */
const base = () => inject("baseUrl");
const tag = `e2e-${Math.random().toString(36).slice(2, 8)}`;
const provider = new OAuth2Server();
let issuerId = "";
let adminAuth: Record<string, string> = {};

async function api(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${base()}${path}`, { ...rest, headers, body: json === undefined ? rest.body : JSON.stringify(json) });
}

/** Seeds hosts straight into the local D1 of the running dev server (the hosts API is another issue's). */
function seedHosts() {
  const rows = [
    `('${crypto.randomUUID()}', '${tag}-web-1', '${tag}-web-1.example.test', '10.1.0.1', 'Web 1', 'debian', 'Debian 12', 'healthy', 0)`,
    `('${crypto.randomUUID()}', '${tag}-web-2', '${tag}-web-2.example.test', '10.1.0.2', '=HYPERLINK("http://x")', 'debian', 'Debian 12', 'degraded', 4)`,
    `('${crypto.randomUUID()}', '${tag}-db-1', '${tag}-db-1.example.test', '10.1.0.3', 'DB, primary', 'rhel', 'RHEL 9', 'healthy', 2)`,
  ];
  const sql = `INSERT INTO hosts (id, name, fqdn, ip_address, display_name, os_family, os_name, health_status, patches_missing, created_at, updated_at)
    SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, 1700000000000, 1700000000000
    FROM (VALUES ${rows.join(", ")})`;
  const res = wrangler(["d1", "execute", "DB", "--local", "--persist-to", inject("persistDir"), "--command", sql]);
  if (res.status !== 0) throw new Error(`seed failed: ${res.stdout}\n${res.stderr}`);
}

function githubClaims(over: Record<string, unknown> = {}) {
  return (_header: unknown, payload: Record<string, unknown>) => {
    Object.assign(payload, {
      aud: "fleetgate",
      sub: "repo:acme/infra:ref:refs/heads/main",
      repository: "acme/infra",
      repository_owner: "acme",
      ref: "refs/heads/main",
      workflow: "nightly-inventory",
      event_name: "schedule",
      run_id: "987654321",
      actor: "octocat",
      jti: crypto.randomUUID(),
      ...over,
    });
  };
}

beforeAll(async () => {
  await provider.issuer.keys.generate("RS256");
  await provider.start(0, "127.0.0.1");
  adminAuth = { authorization: `Bearer ${await adminAccess(base())}` };
  const sa = await api("/api/v1/service-accounts", {
    method: "POST",
    headers: adminAuth,
    json: { name: `gha-${tag}`, role: "operator" },
  });
  expect(sa.status).toBe(201);
  const issuer = await api("/api/v1/token-issuers", {
    method: "POST",
    headers: adminAuth,
    json: {
      name: `github-actions-${tag}`,
      issuer_uri: provider.issuer.url,
      audience: "fleetgate",
      condition: 'claims.repository == "acme/infra" && claims.ref == "refs/heads/main"',
      max_validity: 900,
      service_account_id: ((await sa.json()) as { id: string }).id,
    },
  });
  expect(issuer.status, await issuer.clone().text()).toBe(201);
  issuerId = ((await issuer.json()) as { id: string }).id;
  seedHosts();
});

afterAll(async () => {
  if (provider.listening) await provider.stop();
});

async function exchange(jwt: string) {
  return api(`/api/accounts/token_issuers/oidc/${issuerId}/auth/`, { method: "POST", json: { jwt, name: "nightly" } });
}

async function exportAndDownload(secret: string, format: "csv" | "xlsx") {
  const token = { authorization: `Token ${secret}` };
  const started = await api("/api/v1/exports", {
    method: "POST",
    headers: token,
    json: { kind: "hosts", format, filters: { search: tag, sort_by: "fqdn" } },
  });
  expect(started.status).toBe(202);
  const { task_id, task_result_url } = (await started.json()) as { task_id: string; task_result_url: string };
  expect(task_result_url).toBe(`/api/task_result/${task_id}/`);
  let result: { status: string; unready: boolean; download_url?: string; result?: { headers: Record<string, string> } };
  const deadline = Date.now() + 30_000;
  do {
    await new Promise((r) => setTimeout(r, 200));
    const res = await api(task_result_url, { headers: token });
    expect(res.status).toBe(200);
    result = (await res.json()) as typeof result;
  } while (result.unready && Date.now() < deadline);
  expect(result.status).toBe("SUCCESS");
  expect(result.download_url).toBe(`/api/task_result/${task_id}/download/`);
  // curl -L: follow the 302 to the signed /files/ link.
  const file = await api(result.download_url ?? "", { headers: token, redirect: "follow" });
  expect(file.status).toBe(200);
  expect(file.url).toMatch(/\/files\/exports\/.+\?task=.+&exp=\d+&sig=/);
  expect(file.headers.get("content-disposition")).toBe(result.result?.headers["Content-Disposition"]);
  return file;
}

describe("CI: exchange an OIDC token, export, download", () => {
  let secret = "";

  it("exchanges a GitHub-Actions-like ID token for a ztls_ token", async () => {
    const jwt = await provider.issuer.buildToken({ scopesOrTransform: githubClaims(), expiresIn: 300 });
    const res = await exchange(jwt);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      secret: string;
      name: string;
      user: { id: number; is_service_account: boolean };
    };
    expect(body.secret).toMatch(/^ztls_[0-9A-Za-z]{36}$/);
    expect(body.name).toBe("nightly");
    expect(body.user.is_service_account).toBe(true);
    expect(Number.isInteger(body.user.id)).toBe(true);
    secret = body.secret;
    // The same ID token cannot be exchanged twice.
    expect(await (await exchange(jwt)).json()).toEqual({ jwt: ["Invalid token"] });
  });

  it("refuses a token from another repository (the condition)", async () => {
    const jwt = await provider.issuer.buildToken({
      scopesOrTransform: githubClaims({ repository: "evil/fork" }),
      expiresIn: 300,
    });
    const res = await exchange(jwt);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ jwt: ["Invalid token claims"] });
  });

  it("exports the inventory as XLSX and reads it back", async () => {
    const file = await exportAndDownload(secret, "xlsx");
    expect(file.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(file.headers.get("content-disposition")).toMatch(
      /^attachment; filename="inventory_export_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.xlsx"$/,
    );
    const wb = read(new Uint8Array(await file.arrayBuffer()), { type: "array" });
    const sheet = wb.Sheets.Inventory;
    if (!sheet) throw new Error("no Inventory sheet");
    const rows = utils.sheet_to_json<Record<string, string | number>>(sheet);
    expect(rows.map((r) => r.name)).toEqual([`${tag}-db-1`, `${tag}-web-1`, `${tag}-web-2`]);
    expect(rows[0]).toMatchObject({ display_name: "DB, primary", os_family: "rhel", patches_missing: 2 });
    expect(rows[2]?.display_name).toBe('=HYPERLINK("http://x")');
  });

  it("exports the inventory as CSV and reads it back", async () => {
    const file = await exportAndDownload(secret, "csv");
    expect(file.headers.get("content-type")).toBe("text/csv");
    const text = await file.text();
    const records = text.split("\r\n").filter((l) => l !== "");
    expect(records).toHaveLength(4);
    expect(records[0]?.startsWith("id,name,fqdn,ip_address,display_name,")).toBe(true);
    expect(records[1]).toContain(`,${tag}-db-1,${tag}-db-1.example.test,10.1.0.3,"DB, primary",rhel,`);
    expect(records[3]).toContain(`,"'=HYPERLINK(""http://x"")",`);
  });

  it("a download link without a valid signature is refused", async () => {
    const res = await api(
      `/files/exports/${crypto.randomUUID()}/x.csv?task=${crypto.randomUUID()}&exp=9999999999&sig=${"A".repeat(43)}`,
    );
    expect(res.status).toBe(403);
  });
});
