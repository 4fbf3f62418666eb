import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { api, endpointExists, ok, requestJson } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { historySeries, StatusHistory } from "../lib/status-history";
import { complianceRoute } from "../router";
import { Chart } from "../ui/chart";
import { ErrorState, Loading, QueryView } from "../ui/states";
import { ReportDownloads } from "./report-downloads";

/** Per-group figures are asked for this many groups at most (one request each). */
const MAX_GROUPS = 20;
const day = (s: number) => new Date(s * 1000).toLocaleDateString();

/**
 * Compliance and vulnerabilities: the fleet's (or a group's) status from `GET /status/fleet`,
 * compliance per group, the history when the server keeps it (`GET /status/history`), the
 * hosts with the most pending updates, and the compliance/vulnerability reports as files.
 * Every chart has its table twin.
 */
export function CompliancePage() {
  const search = complianceRoute.useSearch();
  const navigate = useNavigate({ from: complianceRoute.fullPath });
  const user = useUser();
  // The fleet-wide history is for admins; others ask for one group's (the API's rule).
  const historyScope = isAdmin(user) || search.group_id !== undefined;
  const groups = useQuery({ queryKey: ["groups"], queryFn: () => ok(api.GET("/groups")) });
  const status = useQuery({
    queryKey: ["status", "fleet", search.group_id ?? null],
    queryFn: () =>
      ok(api.GET("/status/fleet", { params: { query: search.group_id ? { group_id: search.group_id } : {} } })),
  });
  const perGroup = useQuery({
    queryKey: ["status", "groups", groups.data?.map((g) => g.id)],
    enabled: groups.data !== undefined && !search.group_id,
    queryFn: async () => {
      const list = (groups.data ?? []).slice(0, MAX_GROUPS);
      const answers = await Promise.all(
        list.map((g) => ok(api.GET("/status/fleet", { params: { query: { group_id: g.id } } }))),
      );
      return list.map((g, i) => ({ group: g, status: answers[i] })).filter((r) => (r.status?.total_hosts ?? 0) > 0);
    },
  });
  const hasHistory = useQuery({
    queryKey: ["probe", "status-history"],
    queryFn: () => endpointExists(/^\/status\/history$/),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const history = useQuery({
    queryKey: ["status", "history", search.group_id ?? null, search.days],
    enabled: hasHistory.data === true && historyScope,
    queryFn: async () => {
      const from = new Date(Date.now() - search.days * 86_400_000).toISOString();
      const q = new URLSearchParams({ from, ...(search.group_id ? { group_id: search.group_id } : {}) });
      return StatusHistory.parse(await requestJson(`/api/v1/status/history?${q}`, "GET"));
    },
  });
  const worst = useQuery({
    queryKey: ["compliance", "worst", search.group_id ?? null],
    queryFn: () =>
      ok(
        api.GET("/hosts", {
          params: {
            query: {
              patches_missing: "missing",
              sort_by: "patches_missing",
              order: "desc",
              limit: 10,
              ...(search.group_id ? { group_id: search.group_id } : {}),
            },
          },
        }),
      ),
  });

  return (
    <>
      <div className="page-head">
        <h1>Compliance &amp; vulnerabilities</h1>
      </div>
      <form className="toolbar card" onSubmit={(e) => e.preventDefault()}>
        <label>
          Hosts
          <select
            value={search.group_id ?? ""}
            onChange={(e) => void navigate({ search: { ...search, group_id: e.target.value || undefined } })}
          >
            <option value="">Whole fleet</option>
            {groups.data?.map((g) => (
              <option key={g.id} value={g.id}>
                Group {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          History
          <select
            value={search.days}
            onChange={(e) => {
              const d = Number(e.target.value);
              void navigate({ search: { ...search, days: d === 90 ? 90 : d === 365 ? 365 : 30 } });
            }}
          >
            <option value={30}>30 days</option>
            <option value={90}>90 days</option>
            <option value={365}>365 days</option>
          </select>
        </label>
      </form>
      <QueryView q={status}>
        {(s) => (
          <>
            <section className="tiles" aria-label="Compliance">
              <Tile label="Compliance" value={`${s.compliance_pct.toFixed(1)} %`} />
              <Tile label="Compliant hosts" value={s.compliant} />
              <Tile label="Non-compliant hosts" value={s.non_compliant} />
              <Tile label="Compliance unknown" value={s.compliance_unknown} />
              <Tile label="Pending updates" value={s.total_pending_patches} />
              <Tile label="Reboot required" value={s.hosts_requiring_reboot} />
              <Tile label="Failed health checks" value={s.failed_health_checks} />
            </section>
            <div className="grid-2">
              <Chart
                title="Hosts by compliance"
                kind="bars"
                xLabel="Compliance"
                data={{
                  x: [0, 1, 2],
                  series: [{ label: "Hosts", values: [s.compliant, s.non_compliant, s.compliance_unknown] }],
                }}
                formatX={(i) => ["Compliant", "Non-compliant", "Unknown"][i] ?? ""}
              />
              <Chart
                title="Hosts by CRL status"
                kind="bars"
                xLabel="CRL"
                data={{
                  x: [0, 1, 2, 3, 4],
                  series: [
                    {
                      label: "Hosts",
                      values: [s.crl_valid, s.crl_expired, s.crl_missing, s.crl_invalid, s.crl_not_reporting],
                    },
                  ],
                }}
                formatX={(i) => ["Valid", "Expired", "Missing", "Invalid", "Not reporting"][i] ?? ""}
              />
            </div>
          </>
        )}
      </QueryView>
      {!search.group_id && (
        <section aria-label="Compliance by group">
          {perGroup.isPending && groups.isPending ? (
            <Loading />
          ) : perGroup.isError ? (
            <ErrorState error={perGroup.error} retry={() => void perGroup.refetch()} />
          ) : perGroup.data && perGroup.data.length > 0 ? (
            <Chart
              title="Compliance by group (%)"
              kind="bars"
              xLabel="Group"
              data={{
                x: perGroup.data.map((_, i) => i),
                series: [{ label: "Compliance %", values: perGroup.data.map((r) => r.status?.compliance_pct ?? 0) }],
              }}
              formatX={(i) => perGroup.data?.[i]?.group.name ?? ""}
            />
          ) : null}
        </section>
      )}
      <section aria-label="History">
        {hasHistory.isPending ? (
          <Loading />
        ) : hasHistory.data !== true ? (
          <div className="state" role="status" data-unavailable="/api/v1/status/history">
            Compliance over time is not available on this server: its API has no history (
            <code>/api/v1/status/history</code>).
          </div>
        ) : !historyScope ? (
          <div className="state" role="status">
            Choose one of your groups above to see its compliance over time.
          </div>
        ) : (
          <QueryView
            q={history}
            isEmpty={(h) => h.points.length === 0}
            empty="No snapshots in this period yet: the server records one a day and on changes."
          >
            {(h) => {
              const s = historySeries(h.points);
              return (
                <div className="grid-2">
                  <Chart
                    title="Compliance over time (%)"
                    kind="line"
                    xLabel="Day"
                    data={{ x: s.x, series: [{ label: "Compliance %", values: s.compliance }] }}
                    formatX={day}
                  />
                  <Chart
                    title="Pending updates by severity"
                    kind="line"
                    xLabel="Day"
                    data={{ x: s.x, series: s.severities }}
                    formatX={day}
                  />
                </div>
              );
            }}
          </QueryView>
        )}
      </section>
      <div className="grid-2">
        <section className="card" aria-labelledby="most-pending">
          <h2 id="most-pending">Most pending updates</h2>
          <QueryView q={worst} isEmpty={(d) => d.hosts.length === 0} empty="No host reports pending updates.">
            {(d) => (
              <table className="data">
                <caption className="visually-hidden">Hosts with the most pending updates</caption>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">Pending updates</th>
                  </tr>
                </thead>
                <tbody>
                  {d.hosts.map((h) => (
                    <tr key={h.id}>
                      <td>
                        <Link to="/hosts/$hostId" params={{ hostId: h.id }}>
                          {h.display_name || h.name}
                        </Link>
                      </td>
                      <td>{h.patches_missing}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryView>
          <p>
            <Link to="/patching">Plan a patch deployment</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="report-files">
          <h2 id="report-files">Reports</h2>
          <p className="hint">
            The vulnerability report lists the CVE ids reported for each host's pending updates; the compliance report
            lists every host with its status.
          </p>
          <ReportDownloads types={["compliance", "vulnerability"]} groupId={search.group_id} />
        </section>
      </div>
    </>
  );
}

function Tile({ label, value }: { label: string; value: number | string }) {
  return (
    <div className="tile">
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </div>
  );
}
