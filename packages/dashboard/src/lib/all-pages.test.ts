import { describe, expect, it } from "vitest";
import { allPages, MAX_PAGE } from "./all-pages";

describe("allPages", () => {
  it("walks full pages until a short one and keeps every row in order", async () => {
    const data = Array.from({ length: MAX_PAGE * 2 + 3 }, (_, i) => i);
    const asked: number[] = [];
    const rows = await allPages(async ({ limit, offset }) => {
      asked.push(offset);
      return data.slice(offset, offset + limit);
    });
    expect(rows).toEqual(data);
    expect(asked).toEqual([0, MAX_PAGE, MAX_PAGE * 2]);
  });

  it("stops after maxPages when every page is full", async () => {
    const rows = await allPages(async ({ limit }) => Array.from({ length: limit }, () => 1), 2);
    expect(rows).toHaveLength(MAX_PAGE * 2);
  });
});
