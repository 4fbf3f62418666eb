import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { api, ok } from "../api/client";
import { canWrite, isAdmin, useUser } from "../auth/use-session";
import { allPages } from "../lib/all-pages";
import { histogram, perWeek } from "../lib/buckets";
import { Chart } from "../ui/chart";
import { ErrorState, fmtTime, Loading, StatusBadge } from "../ui/states";
import { OverviewHistory } from "./overview-history";

const HEALTH = ["healthy", "degraded", "unreachable", "pending"] as const;
const SEEN_BOUNDS = [1, 7, 30];
const SEEN_LABELS = ["≤ 1 d", "2–7 d", "8–30 d", "> 30 d"];

/** Health tiles, attention lists and charts (each with its table twin). */
export function OverviewPage() {
  const user = useUser();
  const counts = useQuery({
    queryKey: ["overview", "health"],
    queryFn: async () => {
      const all = await ok(api.GET("/hosts", { params: { query: { limit: 1 } } }));
      const per = await Promise.all(
        HEALTH.map((h) => ok(api.GET("/hosts", { params: { query: { health_status: h, limit: 1 } } }))),
      );
      const missing = await ok(api.GET("/hosts", { params: { query: { patches_missing: "missing", limit: 1 } } }));
      return { total: all.total, per: per.map((p) => p.total), missing: missing.total };
    },
  });
  const hosts = useQuery({
    queryKey: ["overview", "hosts"],
    queryFn: () =>
      ok(api.GET("/hosts", { params: { query: { limit: 200, sort_by: "health_status", order: "desc" } } })),
  });
  const certs = useQuery({
    queryKey: ["certificates", "overview-active"],
    queryFn: () =>
      allPages((page) => ok(api.GET("/certificates", { params: { query: { status: "active", ...page } } }))),
  });
  const pending = useQuery({
    queryKey: ["enrollments", "pending"],
    queryFn: () => allPages((page) => ok(api.GET("/admin/enrollments", { params: { query: page } }))),
    enabled: isAdmin(user),
  });
  const jobs = useQuery({
    queryKey: ["jobs", { offset: 0 }],
    queryFn: () => ok(api.GET("/jobs", { params: { query: { limit: 25, offset: 0 } } })),
  });

  const now = Date.now();
  const expiring = certs.data?.filter((c) => c.status === "active") ?? [];
  const weeks = perWeek(
    expiring.map((c) => c.expires_at),
    now,
    8,
  );
  const seenAges = (hosts.data?.hosts ?? []).map((h) =>
    h.last_seen_at ? (now - Date.parse(h.last_seen_at)) / 86_400_000 : Number.POSITIVE_INFINITY,
  );
  const unreachable = (hosts.data?.hosts ?? []).filter((h) => h.health_status === "unreachable");
  const soon = expiring.filter((c) => Date.parse(c.expires_at) - now < 30 * 86_400_000);

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        {canWrite(user) && (
          <Link className="button primary" to="/hosts">
            Run a script
          </Link>
        )}
      </div>
      {counts.isPending ? (
        <Loading />
      ) : counts.isError ? (
        <ErrorState error={counts.error} retry={() => void counts.refetch()} />
      ) : (
        <section className="tiles" aria-label="Fleet health">
          <Tile label="Hosts" value={counts.data.total} to="/hosts" />
          {HEALTH.map((h, i) => (
            <Tile key={h} label={h} value={counts.data.per[i] ?? 0} to="/hosts" search={{ health_status: h }} />
          ))}
          <Tile
            label="Missing patches"
            value={counts.data.missing}
            to="/hosts"
            search={{ patches_missing: "missing" }}
          />
          {pending.data && <Tile label="Pending enrollments" value={pending.data.length} to="/enrollments" />}
          <Tile label="Certs expiring ≤ 30 d" value={soon.length} to="/certificates" />
        </section>
      )}
      <div className="grid-2">
        <Chart
          title="Certificates expiring per week"
          kind="bars"
          xLabel="Week starting"
          data={{ x: weeks.start.map((_, i) => i), series: [{ label: "Expiring", values: weeks.counts }] }}
          formatX={(i) => new Date(weeks.start[i] ?? now).toLocaleDateString()}
        />
      </div>
      <OverviewHistory
        fallback={
          <div className="grid-2">
            <Chart
              title="Hosts by last seen (first 200 hosts)"
              kind="bars"
              xLabel="Last seen"
              data={{
                x: SEEN_LABELS.map((_, i) => i),
                series: [{ label: "Hosts", values: histogram(seenAges, SEEN_BOUNDS) }],
              }}
              formatX={(i) => SEEN_LABELS[i] ?? ""}
            />
          </div>
        }
      />
      <div className="grid-2">
        <section className="card" aria-labelledby="attention">
          <h2 id="attention">Needs attention</h2>
          {hosts.isPending ? (
            <Loading />
          ) : unreachable.length === 0 && soon.length === 0 && !pending.data?.length ? (
            <p className="hint">Nothing needs attention.</p>
          ) : (
            <ul>
              {unreachable.map((h) => (
                <li key={h.id}>
                  <Link to="/hosts/$hostId" params={{ hostId: h.id }}>
                    {h.display_name || h.fqdn}
                  </Link>{" "}
                  unreachable since {fmtTime(h.last_seen_at)}
                </li>
              ))}
              {soon.map((c) => (
                <li key={c.id}>
                  Certificate {c.common_name} expires {fmtTime(c.expires_at)}
                </li>
              ))}
              {pending.data?.map((p) => (
                <li key={p.id}>
                  <Link to="/enrollments">{p.fqdn}</Link> waits for approval
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="recent-jobs">
          <h2 id="recent-jobs">Recent jobs</h2>
          {jobs.isPending ? (
            <Loading />
          ) : jobs.data?.jobs.length ? (
            <ul>
              {jobs.data.jobs.slice(0, 8).map((j) => (
                <li key={j.id}>
                  <Link to="/jobs/$jobId" params={{ jobId: j.id }}>
                    {j.script ?? j.kind}
                  </Link>{" "}
                  <StatusBadge status={j.status} /> {j.succeeded_count}/{j.host_count} ok
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">No jobs yet.</p>
          )}
        </section>
      </div>
    </>
  );
}

function Tile({
  label,
  value,
  to,
  search,
}: {
  label: string;
  value: number;
  to: "/hosts" | "/enrollments" | "/certificates";
  search?: Record<string, string>;
}) {
  return (
    <Link className="tile" to={to} search={search as never} style={{ textDecoration: "none", color: "inherit" }}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </Link>
  );
}
