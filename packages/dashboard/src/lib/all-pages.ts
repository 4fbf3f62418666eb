/** The page size the paged plain-array lists (/certificates, /admin/enrollments) clamp to. */
export const MAX_PAGE = 200;

/**
 * Every row of a plain-array list that pages with limit/offset: asks for full pages until one comes back
 * short. `maxPages` bounds the walk so a huge fleet cannot make the dashboard loop for ever.
 */
export async function allPages<T>(
  page: (q: { limit: number; offset: number }) => Promise<T[]>,
  maxPages = 50,
): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < maxPages; i++) {
    const got = await page({ limit: MAX_PAGE, offset: i * MAX_PAGE });
    rows.push(...got);
    if (got.length < MAX_PAGE) break;
  }
  return rows;
}
