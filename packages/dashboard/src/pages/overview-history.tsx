import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { api, endpointExists, ok, requestJson } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { AGE_BUCKETS, cveSeries, historySeries, latestAges, StatusHistory } from "../lib/status-history";
import { overviewRoute } from "../router";
import { Chart } from "../ui/chart";
import { QueryView } from "../ui/states";

const DAYS = 30;
const day = (s: number) => new Date(s * 1000).toLocaleDateString();
const AGE_LABELS: Record<(typeof AGE_BUCKETS)[number], string> = {
  "0-1d": "≤ 1 d",
  "1-7d": "1–7 d",
  "7-30d": "7–30 d",
  "30-90d": "30–90 d",
  ">90d": "> 90 d",
  never: "never",
};

/**
 * The overview's history for the whole fleet (admins) or one group (anyone, `?group_id=`):
 * compliance and open CVEs by severity over the last 30 days, and the patch-age and last-seen
 * histograms of the latest snapshot (`GET /status/history`, computed by the server over every host of the
 * scope). Each chart has its table twin. Without the history, `fallback` is shown.
 */
export function OverviewHistory({ fallback }: { fallback: React.ReactNode }) {
  const search = overviewRoute.useSearch();
  const navigate = useNavigate({ from: overviewRoute.fullPath });
  const user = useUser();
  const inScope = isAdmin(user) || search.group_id !== undefined;
  const groups = useQuery({ queryKey: ["groups"], queryFn: () => ok(api.GET("/groups")) });
  const hasHistory = useQuery({
    queryKey: ["probe", "status-history"],
    queryFn: () => endpointExists(/^\/status\/history$/),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const history = useQuery({
    queryKey: ["status", "history", search.group_id ?? null, DAYS],
    enabled: hasHistory.data === true && inScope,
    queryFn: async () => {
      const from = new Date(Date.now() - DAYS * 86_400_000).toISOString();
      const q = new URLSearchParams({ from, ...(search.group_id ? { group_id: search.group_id } : {}) });
      return StatusHistory.parse(await requestJson(`/api/v1/status/history?${q}`, "GET"));
    },
  });
  const ages = AGE_BUCKETS.map((_, i) => i);

  return (
    <section aria-label="Compliance history">
      <form className="toolbar card" onSubmit={(e) => e.preventDefault()}>
        <label>
          History of
          <select
            value={search.group_id ?? ""}
            onChange={(e) => void navigate({ search: { group_id: e.target.value || undefined } })}
          >
            <option value="">{isAdmin(user) ? "Whole fleet" : "Choose a group"}</option>
            {groups.data?.map((g) => (
              <option key={g.id} value={g.id}>
                Group {g.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {hasHistory.data !== true || !inScope ? (
        fallback
      ) : (
        <QueryView
          q={history}
          isEmpty={(h) => h.points.length === 0}
          empty="No snapshots yet: the server records one a day and on changes."
        >
          {(h) => {
            const s = historySeries(h.points);
            const cves = cveSeries(h.points);
            const patchAge = latestAges(h.points, "patch_age") ?? [];
            const lastSeen = latestAges(h.points, "last_seen") ?? [];
            return (
              <div className="grid-2">
                <Chart
                  title={`Compliance over ${DAYS} days (%)`}
                  kind="line"
                  xLabel="Day"
                  data={{ x: s.x, series: [{ label: "Compliance %", values: s.compliance }] }}
                  formatX={day}
                />
                {cves.x.length > 0 ? (
                  <Chart
                    title={`Open CVEs by severity over ${DAYS} days`}
                    kind="line"
                    xLabel="Day"
                    data={cves}
                    formatX={day}
                  />
                ) : (
                  <p className="card hint">
                    No CVE counts in this period yet: snapshots count the open CVEs of the hosts (from their updates and
                    the imported OSV data) from this version on.
                  </p>
                )}
                <Chart
                  title="Hosts by time since last patch"
                  kind="bars"
                  xLabel="Last patched"
                  data={{ x: ages, series: [{ label: "Hosts", values: patchAge }] }}
                  formatX={(i) => AGE_LABELS[AGE_BUCKETS[i] ?? "never"]}
                />
                <Chart
                  title="Hosts by last seen"
                  kind="bars"
                  xLabel="Last seen"
                  data={{ x: ages, series: [{ label: "Hosts", values: lastSeen }] }}
                  formatX={(i) => AGE_LABELS[AGE_BUCKETS[i] ?? "never"]}
                />
              </div>
            );
          }}
        </QueryView>
      )}
    </section>
  );
}
