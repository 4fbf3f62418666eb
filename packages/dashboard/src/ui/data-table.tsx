import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from "@tanstack/react-table";
import { useState } from "react";

export type { ColumnDef } from "@tanstack/react-table";

/**
 * A table on TanStack Table. With `sort` + `onSort` sorting is server-side (the caller keeps
 * it in the URL); without them, columns sort client-side over the rows given (small lists).
 */
export function DataTable<T>({
  caption,
  rows,
  columns,
  sort,
  onSort,
  rowKey,
}: {
  caption: string;
  rows: T[];
  // biome-ignore lint/suspicious/noExplicitAny: TanStack's column value type varies per column
  columns: ColumnDef<T, any>[];
  sort?: { id: string; desc: boolean };
  onSort?: (next: { id: string; desc: boolean }) => void;
  rowKey: (row: T) => string;
}) {
  const [local, setLocal] = useState<SortingState>([]);
  const server = onSort !== undefined;
  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting: server ? (sort ? [sort] : []) : local },
    manualSorting: server,
    enableSortingRemoval: false,
    onSortingChange: (updater) => {
      const current = server ? (sort ? [sort] : []) : local;
      const next = typeof updater === "function" ? updater(current) : updater;
      if (server) {
        const first = next[0];
        if (first) onSort({ id: first.id, desc: first.desc });
      } else setLocal(next);
    },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: server ? undefined : getSortedRowModel(),
    getRowId: (row) => rowKey(row),
  });
  return (
    <table className="data">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        {table.getHeaderGroups().map((hg) => (
          <tr key={hg.id}>
            {hg.headers.map((h) => {
              const sorted = h.column.getIsSorted();
              const label = flexRender(h.column.columnDef.header, h.getContext());
              return (
                <th
                  key={h.id}
                  scope="col"
                  aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                >
                  {h.column.getCanSort() ? (
                    <button type="button" onClick={h.column.getToggleSortingHandler()}>
                      {label}
                      <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}</span>
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((r) => (
          <tr key={r.id}>
            {r.getVisibleCells().map((cell) => (
              <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Offset pager whose state lives in the URL (the caller navigates). */
export function Pager({
  offset,
  limit,
  total,
  onPage,
}: {
  offset: number;
  limit: number;
  total: number;
  onPage: (offset: number) => void;
}) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span aria-live="polite">
        {from}–{to} of {total}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onPage(offset + limit)}>
        Next
      </button>
    </nav>
  );
}
