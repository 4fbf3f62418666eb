import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { OSV_LIMITS, readOsvArchive } from "./osv-feed";

const record = (id: string) => ({ id, modified: "2026-01-01T00:00:00Z", aliases: [`CVE-2026-${id.slice(-4)}`] });
const zip = (files: Record<string, string | Uint8Array>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === "string" ? strToU8(v) : v])));

/** A stream of the bytes in chunks of `size` (feeds arrive in pieces). */
function stream(bytes: Uint8Array, size = 1000): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(off, off + size));
      off += size;
    },
  });
}

async function read(bytes: Uint8Array, limits = OSV_LIMITS) {
  const out: string[] = [];
  for await (const r of readOsvArchive(stream(bytes), limits)) out.push(r.id);
  return out;
}

describe("readOsvArchive", () => {
  it("streams every JSON record of the archive, skipping other entries", async () => {
    const files: Record<string, string> = { "README.txt": "not a record" };
    for (let i = 1000; i < 1300; i++) files[`DSA-${i}.json`] = JSON.stringify(record(`DSA-${i}`));
    const ids = await read(zip(files), OSV_LIMITS);
    expect(ids).toHaveLength(300);
    expect(ids).toContain("DSA-1299");
  });

  it("an empty archive has no records", async () => {
    expect(await read(zip({}))).toEqual([]);
  });

  it("names the entry of bad JSON, a non-OSV record and a record past the size bound", async () => {
    await expect(read(zip({ "A-1.json": JSON.stringify(record("A-1")), "B-1.json": "{nope" }))).rejects.toThrow(
      "B-1.json: not valid UTF-8 JSON",
    );
    await expect(read(zip({ "C-1.json": JSON.stringify({ id: 5 }) }))).rejects.toThrow(/C-1.json: not an OSV record/);
    const huge = JSON.stringify({ ...record("H-1"), summary: "x".repeat(2 * 1024 * 1024) });
    await expect(read(zip({ "H-1.json": huge }))).rejects.toThrow("H-1.json: record larger than 1048576 bytes");
  });

  it("refuses what is not a ZIP archive, a truncated one, and more records than allowed", async () => {
    await expect(read(strToU8('{"id":"DSA-1"}'))).rejects.toThrow("not a ZIP archive");
    const whole = zip({ "A-1.json": JSON.stringify(record("A-1")), "A-2.json": JSON.stringify(record("A-2")) });
    await expect(read(whole.slice(0, whole.byteLength - 30))).rejects.toThrow(/truncated archive/);
    const many = zip({ "A-1.json": JSON.stringify(record("A-1")), "A-2.json": JSON.stringify(record("A-2")) });
    await expect(read(many, { ...OSV_LIMITS, records: 1 })).rejects.toThrow("more than 1 records");
    await expect(read(many, { ...OSV_LIMITS, feedBytes: 100 })).rejects.toThrow("feed larger than 100 bytes");
  });
});
