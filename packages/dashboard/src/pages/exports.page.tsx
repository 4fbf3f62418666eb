import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, done, download, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { exportsRoute } from "../router";
import { Pager } from "../ui/data-table";
import { ErrorState, fmtTime, QueryView, StatusBadge } from "../ui/states";
import { ReportDownloads } from "./report-downloads";

const LIMIT = 25;
const KINDS = ["hosts", "jobs", "certificates", "audit"] as const;
type Kind = (typeof KINDS)[number];

/** Async exports: request a file, watch its task progress, download through the signed URL. */
export function ExportsPage() {
  const search = exportsRoute.useSearch();
  const navigate = useNavigate({ from: exportsRoute.fullPath });
  const qc = useQueryClient();
  const user = useUser();
  const [kind, setKind] = useState<Kind>("hosts");
  const [format, setFormat] = useState<"csv" | "xlsx">("xlsx");
  const tasks = useQuery({
    queryKey: ["tasks", search],
    queryFn: () => ok(api.GET("/tasks", { params: { query: { limit: LIMIT, offset: search.offset } } })),
    placeholderData: keepPreviousData,
    // Poll while something is still running; stop once every task is final.
    refetchInterval: (query) =>
      query.state.data?.tasks.some((t) => t.status === "PENDING" || t.status === "STARTED") ? 1500 : false,
  });
  const start = useMutation({
    mutationFn: () => ok(api.POST("/exports", { body: { kind, format, filters: {} } as never })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["tasks"] }),
  });
  const fetchFile = useMutation({ mutationFn: (f: { url: string; name: string }) => download(f.url, f.name) });
  const remove = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/tasks/{id}", { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["tasks"] }),
  });
  return (
    <>
      <div className="page-head">
        <h1>Reports &amp; exports</h1>
      </div>
      <form
        className="toolbar card"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <label>
          Data
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value as "csv" | "xlsx")}>
            <option value="xlsx">Excel (XLSX)</option>
            <option value="csv">CSV</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={start.isPending}>
          Start export
        </button>
        <span className="hint">Filtered exports start from the Hosts page (“Export matching”).</span>
      </form>
      <section className="card" aria-labelledby="reports-head">
        <h2 id="reports-head">Reports</h2>
        <ReportDownloads
          types={
            isAdmin(user)
              ? ["compliance", "patch-history", "vulnerability", "audit"]
              : ["compliance", "patch-history", "vulnerability"]
          }
          withPeriod
        />
      </section>
      <h2>Exports</h2>
      {start.isError && <ErrorState error={start.error} />}
      {fetchFile.isError && <ErrorState error={fetchFile.error} />}
      <QueryView q={tasks} isEmpty={(d) => d.tasks.length === 0} empty="No exports yet.">
        {(d) => (
          <>
            <table className="data">
              <caption className="visually-hidden">Exports</caption>
              <thead>
                <tr>
                  <th scope="col">Export</th>
                  <th scope="col">Status</th>
                  <th scope="col">Requested</th>
                  <th scope="col">Finished</th>
                  <th scope="col">File</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.tasks.map((t) => (
                  <tr key={t.id} data-task={t.id}>
                    <td>{t.name}</td>
                    <td>
                      <StatusBadge status={t.status} />
                      {t.error && <div className="hint">{t.error}</div>}
                    </td>
                    <td>{fmtTime(t.created_at)}</td>
                    <td>{fmtTime(t.finished_at)}</td>
                    <td>
                      {t.download_url ? (
                        <button
                          type="button"
                          onClick={() => fetchFile.mutate({ url: t.download_url ?? "", name: t.name })}
                        >
                          Download {t.name}
                        </button>
                      ) : t.status === "PENDING" || t.status === "STARTED" ? (
                        <span role="status">Preparing…</span>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>
                      <button type="button" onClick={() => remove.mutate(t.id)}>
                        Delete {t.name}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              offset={search.offset}
              limit={LIMIT}
              total={d.total}
              onPage={(offset) => void navigate({ search: { offset } })}
            />
          </>
        )}
      </QueryView>
    </>
  );
}
