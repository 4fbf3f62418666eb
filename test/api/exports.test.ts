import { read, utils } from "@e965/xlsx";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { addToGroup, createGroup, download, pollTask, seedHosts, serviceAccountToken, tokenAuth } from "./task-helpers";

const exportReq = (headers: Record<string, string>, json: unknown) =>
  call("/api/v1/exports", { method: "POST", headers, json });

/** Parses an RFC 4180 document (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
    i++;
  }
  return rows;
}

describe("exports: bad input is refused before anything is queued", () => {
  it("an unknown filter → 400 validation_error naming it", async () => {
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", format: "csv", filters: { colour: "blue" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string; code: string }[] } };
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details[0]).toMatchObject({ path: "filters", code: "unrecognized_keys" });
  });

  it("pagination is not a filter: limit → 400", async () => {
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", format: "csv", filters: { limit: 10 } });
    expect(res.status).toBe(400);
  });

  it("a filter of another list → 400 (status is not a host filter)", async () => {
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", filters: { status: "active" } });
    expect(res.status).toBe(400);
  });

  it("an invalid filter value → 400", async () => {
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", filters: { health_status: "sick" } });
    expect(res.status).toBe(400);
  });

  it("an unknown kind or format → 400", async () => {
    const admin = await adminLogin();
    expect((await exportReq(bearer(admin), { kind: "users", format: "csv" })).status).toBe(400);
    expect((await exportReq(bearer(admin), { kind: "hosts", format: "pdf" })).status).toBe(400);
  });

  it("a body that is not JSON → 415", async () => {
    const admin = await adminLogin();
    const res = await call("/api/v1/exports", {
      method: "POST",
      headers: { ...bearer(admin), "content-type": "text/csv" },
      body: "kind,hosts",
    });
    expect(res.status).toBe(415);
    expect((await nativeError(res)).code).toBe("unsupported_media_type");
  });

  it("malformed JSON → 400 bad_request", async () => {
    const admin = await adminLogin();
    const res = await call("/api/v1/exports", {
      method: "POST",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: "{kind",
    });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).code).toBe("bad_request");
  });

  it("the audit export is admin-only → 403 for an operator", async () => {
    const op = await userWithRole("operator");
    const res = await exportReq(bearer(op.session), { kind: "audit", format: "csv" });
    expect(res.status).toBe(403);
  });

  it("anonymous → 401", async () => {
    expect((await exportReq({}, { kind: "hosts" })).status).toBe(401);
  });
});

describe("exports: the file holds exactly what the list shows", () => {
  it("202 with task_id and a relative task_result_url", async () => {
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", format: "csv" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { task_id: string; task_result_url: string };
    expect(Object.keys(body)).toEqual(["task_id", "task_result_url"]);
    expect(body.task_result_url).toBe(`/api/task_result/${body.task_id}/`);
  });

  it("CSV: filters and sorting applied, RFC 4180 quoting, formula cells escaped", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    await seedHosts([
      { name: `${tag}-b`, displayName: 'Quote "me", please', healthStatus: "degraded" },
      { name: `${tag}-a`, displayName: '=HYPERLINK("http://evil")', healthStatus: "degraded" },
      { name: `${tag}-c`, displayName: "+1", healthStatus: "degraded" },
      { name: `${tag}-d`, displayName: "@SUM(A1)", healthStatus: "degraded" },
      { name: `${tag}-e`, displayName: "-2+3", healthStatus: "degraded" },
      { name: `${tag}-f`, displayName: "healthy one", healthStatus: "healthy" },
    ]);
    const sa = await serviceAccountToken("operator");
    const res = await exportReq(tokenAuth(sa.secret), {
      kind: "hosts",
      format: "csv",
      filters: { search: tag, health_status: "degraded", sort_by: "fqdn", order: "desc" },
    });
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const done = await pollTask(task_id, tokenAuth(sa.secret));
    expect(done.status).toBe("SUCCESS");
    expect(done.name).toBe("fleetgate.exports.export_inventory");
    expect(done.download_url).toBe(`/api/task_result/${task_id}/download/`);
    const headers = (done.result as { headers: Record<string, string> }).headers;
    expect(headers["Content-Type"]).toBe("text/csv");
    expect(headers["Content-Disposition"]).toMatch(
      /^attachment; filename="inventory_export_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.csv"$/,
    );
    expect(done.result).not.toHaveProperty("filepath");

    const file = await download(done.download_url ?? "", tokenAuth(sa.secret));
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/csv");
    expect(file.headers.get("content-disposition")).toBe(headers["Content-Disposition"]);
    const text = await file.text();
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).toContain('"Quote ""me"", please"');
    const rows = parseCsv(text);
    const header = rows[0] ?? [];
    expect(header.slice(0, 5)).toEqual(["id", "name", "fqdn", "ip_address", "display_name"]);
    const names = rows.slice(1).map((r) => r[header.indexOf("name")]);
    expect(names).toEqual([`${tag}-e`, `${tag}-d`, `${tag}-c`, `${tag}-b`, `${tag}-a`]);
    const shown = Object.fromEntries(rows.slice(1).map((r) => [r[1], r[header.indexOf("display_name")]]));
    expect(shown[`${tag}-a`]).toBe('\'=HYPERLINK("http://evil")');
    expect(shown[`${tag}-c`]).toBe("'+1");
    expect(shown[`${tag}-d`]).toBe("'@SUM(A1)");
    expect(shown[`${tag}-e`]).toBe("'-2+3");
    expect(shown[`${tag}-b`]).toBe('Quote "me", please');
  });

  it("XLSX: parses back with an independent reader; formula-looking text stays text", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    await seedHosts([
      { name: `${tag}-1`, displayName: "=1+1", patchesMissing: 3 },
      { name: `${tag}-2`, displayName: "plain", patchesMissing: 0 },
    ]);
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", format: "xlsx", filters: { search: tag } });
    const { task_id } = (await res.json()) as { task_id: string };
    const done = await pollTask(task_id, bearer(admin));
    expect(done.status).toBe("SUCCESS");
    const file = await download(done.download_url ?? "", bearer(admin));
    expect(file.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(file.headers.get("content-disposition")).toMatch(/filename="inventory_export_.*\.xlsx"/);
    const wb = read(new Uint8Array(await file.arrayBuffer()), { type: "array" });
    expect(wb.SheetNames).toEqual(["Inventory"]);
    const sheet = wb.Sheets.Inventory;
    if (!sheet) throw new Error("no sheet");
    const rows = utils.sheet_to_json<Record<string, unknown>>(sheet);
    expect(rows.map((r) => r.name)).toEqual([`${tag}-1`, `${tag}-2`]);
    expect(rows[0]?.patches_missing).toBe(3);
    expect(rows[0]?.display_name).toBe("=1+1");
    const cell = sheet.D2 ?? sheet[utils.encode_cell({ r: 1, c: 4 })];
    expect(cell).toBeDefined();
    const formulaCells = Object.entries(sheet).filter(([k, v]) => !k.startsWith("!") && (v as { f?: string }).f);
    expect(formulaCells).toEqual([]);
  });

  it("an operator's export holds the hosts of their groups and ungrouped hosts, not others'", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const mine = await createGroup();
    const theirs = await createGroup();
    await seedHosts([
      { name: `${tag}-mine`, groupIds: [mine] },
      { name: `${tag}-theirs`, groupIds: [theirs] },
      { name: `${tag}-free` },
    ]);
    const op = await userWithRole("operator");
    await addToGroup(mine, op.id);
    const res = await exportReq(bearer(op.session), { kind: "hosts", format: "csv", filters: { search: tag } });
    const { task_id } = (await res.json()) as { task_id: string };
    const done = await pollTask(task_id, bearer(op.session));
    const rows = parseCsv(await (await download(done.download_url ?? "", bearer(op.session))).text());
    expect(rows.slice(1).map((r) => r[1])).toEqual([`${tag}-free`, `${tag}-mine`]);
  });

  it("group_id filter keeps only that group's hosts", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const g = await createGroup();
    await seedHosts([{ name: `${tag}-in`, groupIds: [g] }, { name: `${tag}-out` }]);
    const admin = await adminLogin();
    const res = await exportReq(bearer(admin), { kind: "hosts", format: "csv", filters: { group_id: g } });
    const { task_id } = (await res.json()) as { task_id: string };
    const done = await pollTask(task_id, bearer(admin));
    const rows = parseCsv(await (await download(done.download_url ?? "", bearer(admin))).text());
    expect(rows.slice(1).map((r) => r[1])).toEqual([`${tag}-in`]);
  });
});
