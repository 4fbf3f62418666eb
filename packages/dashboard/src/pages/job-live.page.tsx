import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useCallback, useMemo, useRef, useState } from "react";
import { api, done, download, ok } from "../api/client";
import { canWrite, useUser } from "../auth/use-session";
import { completedOverTime } from "../lib/buckets";
import { ChunkBuffer, type StreamFrame, useJobStream } from "../lib/job-stream";
import { jobRoute } from "../router";
import { Chart } from "../ui/chart";
import { ErrorState, fmtTime, Loading, StatusBadge } from "../ui/states";
import { JobActions } from "./job-actions";

const LogViewer = lazy(() => import("../ui/log-viewer"));
const TERMINAL = new Set(["succeeded", "failed", "timed_out", "cancelled", "offline_expired"]);

/** Live view of one job: progress, per-host grid, completions over time, output, cancel. */
export function JobLivePage() {
  const { jobId } = jobRoute.useParams();
  const user = useUser();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<string | undefined>();
  const [, bump] = useState(0);
  const chunks = useRef(new ChunkBuffer());
  const pendingRefetch = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const key = useMemo(() => ["job", jobId], [jobId]);
  const q = useQuery({
    queryKey: key,
    queryFn: () => ok(api.GET("/jobs/{id}", { params: { path: { id: jobId } } })),
  });
  const refetchSoon = useCallback(() => {
    if (pendingRefetch.current) return;
    pendingRefetch.current = setTimeout(() => {
      pendingRefetch.current = undefined;
      void qc.invalidateQueries({ queryKey: key });
    }, 300);
  }, [qc, key]);
  const finished = q.data ? ["succeeded", "failed", "cancelled"].includes(q.data.job.status) : false;
  const status = useJobStream({
    jobId,
    enabled: !finished,
    onOpen: () => void qc.invalidateQueries({ queryKey: key }),
    onFrame: (f: StreamFrame) => {
      if (f.job_id !== jobId) return;
      if (f.event_type === "output") {
        chunks.current.add(f.host_id, f.stream, f.seq, f.data);
        bump((n) => n + 1);
      } else refetchSoon();
    },
  });
  const cancel = useMutation({
    mutationFn: () => done(api.POST("/jobs/{id}/cancel", { params: { path: { id: jobId } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: key }),
  });

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const { job, hosts } = q.data;
  const doneCount = hosts.filter((h) => TERMINAL.has(h.status)).length;
  const pct = hosts.length ? Math.round((doneCount / hosts.length) * 100) : 0;
  const selected = hosts.find((h) => h.host_id === picked) ?? hosts[0];
  const curve = completedOverTime(hosts.map((h) => (TERMINAL.has(h.status) ? h.completed_at : null)));
  let output = "";
  if (selected) {
    output = TERMINAL.has(selected.status)
      ? selected.stdout + (selected.stderr ? `\n${selected.stderr}` : "")
      : chunks.current.text(selected.host_id, "stdout") + chunks.current.text(selected.host_id, "stderr");
  }
  return (
    <>
      <div className="page-head">
        <h1>
          Job {job.script ?? job.kind} <span className="hint mono">{job.reqid}</span>
        </h1>
        <StatusBadge status={job.status} />
        {finished ? (
          <span className="badge">Finished</span>
        ) : (
          <span className={`badge ${status === "live" ? "ok" : "warn"}`} role="status" aria-live="polite">
            {status === "live" ? "Live" : status === "reconnecting" ? "Reconnecting…" : "Connecting…"}
          </span>
        )}
        {canWrite(user) && !finished && (
          <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel job
          </button>
        )}
      </div>
      <p>
        <Link to="/jobs">← All jobs</Link>
      </p>
      {cancel.isError && <ErrorState error={cancel.error} />}
      {canWrite(user) && finished && <JobActions detail={q.data} />}
      <section className="card" aria-labelledby="progress">
        <h2 id="progress">Progress</h2>
        <div
          className="progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-label="Hosts finished"
        >
          <div style={{ width: `${pct}%` }} />
        </div>
        <p data-testid="job-counts">
          {doneCount} of {hosts.length} hosts finished · {job.succeeded_count} succeeded · {job.failed_count} failed ·
          started {fmtTime(job.started_at ?? job.created_at)}
          {job.args.length > 0 && (
            <>
              {" "}
              · args <code>{job.args.join(" ")}</code>
            </>
          )}
        </p>
      </section>
      {job.rings && job.rings.length > 0 && (
        <section className="card" aria-labelledby="rings">
          <h2 id="rings">Rings</h2>
          <p className="hint">
            A ring starts only when the previous one passed its post-patch health checks
            {job.on_health_failure === "rollback" ? "; a failed ring is rolled back automatically." : "."}
          </p>
          <table className="data" data-testid="job-rings">
            <caption className="visually-hidden">Rings of this rollout</caption>
            <thead>
              <tr>
                <th scope="col">Ring</th>
                <th scope="col">State</th>
                <th scope="col">Hosts</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {job.rings.map((r) => (
                <tr key={r.index} data-ring={r.index + 1}>
                  <td>{r.index + 1}</td>
                  <td>
                    <StatusBadge status={r.state} />
                  </td>
                  <td>{r.host_count}</td>
                  <td>{r.succeeded_count}</td>
                  <td>{r.failed_count}</td>
                  <td>
                    {r.reason}
                    {r.rollback_job_id && (
                      <>
                        {r.reason ? " · " : ""}
                        <Link to="/jobs/$jobId" params={{ jobId: r.rollback_job_id }}>
                          rollback job
                        </Link>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="card" aria-labelledby="per-host">
        <h2 id="per-host">Hosts</h2>
        <div className="waffle">
          {hosts.map((h) => (
            <button
              type="button"
              key={h.host_id}
              aria-pressed={selected?.host_id === h.host_id}
              onClick={() => setPicked(h.host_id)}
              data-host={h.host_name}
            >
              <span>{h.display_name || h.host_name}</span>
              <StatusBadge status={h.status} />
            </button>
          ))}
        </div>
      </section>
      {selected && (
        <section className="card" aria-labelledby="output">
          <h2 id="output">
            Output of {selected.display_name || selected.host_name}
            {selected.exit_code !== null && <span className="hint"> (exit {selected.exit_code})</span>}
          </h2>
          {selected.error_message && <div className="alert error">{selected.error_message}</div>}
          {selected.output_truncated && (
            <p className="hint">
              Output is truncated here;{" "}
              <button
                type="button"
                className="link"
                onClick={() =>
                  void download(
                    `/api/v1/jobs/${job.id}/hosts/${selected.host_id}/output`,
                    `${job.reqid}-${selected.host_name}.log`,
                  )
                }
              >
                download the full output
              </button>
              .
            </p>
          )}
          {!TERMINAL.has(selected.status) && chunks.current.missedStart(selected.host_id) && (
            <p className="hint">Output sent before this page connected is shown in full when the host finishes.</p>
          )}
          <Suspense fallback={<Loading label="Loading log viewer…" />}>
            <LogViewer text={output} name={`${job.reqid}-${selected.host_name}.log`} />
          </Suspense>
        </section>
      )}
      {curve.x.length > 1 && (
        <Chart
          title="Hosts completed over time"
          kind="step"
          xLabel="Time"
          data={{ x: curve.x, series: [{ label: "Completed", values: curve.y }] }}
          formatX={(x) => new Date(x * 1000).toLocaleTimeString()}
        />
      )}
    </>
  );
}
