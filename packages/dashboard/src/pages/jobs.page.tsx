import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { api, ok } from "../api/client";
import { useJobStream } from "../lib/job-stream";
import { jobsRoute } from "../router";
import { Pager } from "../ui/data-table";
import { fmtTime, QueryView, StatusBadge } from "../ui/states";

const LIMIT = 25;

function duration(from: string | null, to: string | null): string {
  if (!from) return "—";
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  if (Number.isNaN(ms) || ms < 0) return "—";
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

/** Jobs, newest first; rows update live from the all-jobs stream. */
export function JobsPage() {
  const search = jobsRoute.useSearch();
  const navigate = useNavigate({ from: jobsRoute.fullPath });
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["jobs", search],
    queryFn: () => ok(api.GET("/jobs", { params: { query: { limit: LIMIT, offset: search.offset } } })),
    placeholderData: keepPreviousData,
  });
  const live = useJobStream({
    onOpen: () => void qc.invalidateQueries({ queryKey: ["jobs"] }),
    onFrame: (f) => {
      if (f.event_type !== "output") void qc.invalidateQueries({ queryKey: ["jobs"] });
    },
  });
  return (
    <>
      <div className="page-head">
        <h1>Jobs</h1>
        <span className={`badge ${live === "live" ? "ok" : "warn"}`}>{live === "live" ? "Live" : "Reconnecting…"}</span>
      </div>
      <QueryView q={q} isEmpty={(d) => d.jobs.length === 0} empty="No jobs yet. Run a script from the Hosts page.">
        {(d) => (
          <>
            <table className="data">
              <caption className="visually-hidden">Jobs</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Status</th>
                  <th scope="col">Hosts</th>
                  <th scope="col">Result</th>
                  <th scope="col">Created</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {d.jobs.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <Link to="/jobs/$jobId" params={{ jobId: j.id }}>
                        {j.script ?? j.kind}
                      </Link>{" "}
                      <span className="hint mono">{j.reqid}</span>
                    </td>
                    <td>
                      <StatusBadge status={j.status} />
                    </td>
                    <td>
                      {j.host_names.slice(0, 3).join(", ") +
                        (j.host_names.length > 3 ? ` +${j.host_names.length - 3}` : "")}
                    </td>
                    <td>
                      <meter min={0} max={j.host_count || 1} value={j.succeeded_count} aria-label="Succeeded" />{" "}
                      {j.succeeded_count} ok, {j.failed_count} failed of {j.host_count}
                    </td>
                    <td>{fmtTime(j.created_at)}</td>
                    <td>{duration(j.started_at, j.completed_at)}</td>
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
