import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { api, endpointExists, ok } from "../api/client";
import { Loading, QueryView } from "../ui/states";
import { Availability } from "./unavailable.page";

/** A time shown in the window's own time zone, with that zone named (never implicit). */
export function inZone(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return `${d.toLocaleString(undefined, { timeZone, dateStyle: "medium", timeStyle: "short" })} (${timeZone})`;
  } catch {
    return `${d.toISOString()} (UTC)`;
  }
}

/** Maintenance windows on the hosts the user may see, next one first, with explicit time zones. */
export function MaintenancePage() {
  const has = useQuery({
    queryKey: ["probe", "maintenance-windows"],
    queryFn: () => endpointExists(/^\/maintenance-windows$/),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const q = useQuery({
    queryKey: ["maintenance-windows"],
    queryFn: () => ok(api.GET("/maintenance-windows")),
    enabled: has.data === true,
  });
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <>
      <div className="page-head">
        <h1>Maintenance</h1>
      </div>
      {has.data !== true ? (
        has.isPending ? (
          <Loading />
        ) : (
          <Availability q={has} paths="/api/v1/maintenance-windows" what="maintenance windows" />
        )
      ) : (
        <QueryView q={q} isEmpty={(d) => d.windows.length === 0} empty="No maintenance windows.">
          {(d) => (
            <table className="data">
              <caption className="visually-hidden">Maintenance windows</caption>
              <thead>
                <tr>
                  <th scope="col">Window</th>
                  <th scope="col">Host</th>
                  <th scope="col">Recurrence</th>
                  <th scope="col">Next start (window's zone)</th>
                  <th scope="col">Next start ({local})</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Auto-apply</th>
                </tr>
              </thead>
              <tbody>
                {[...d.windows]
                  .sort((a, b) => (a.next_start_at ?? "9").localeCompare(b.next_start_at ?? "9"))
                  .map((w) => (
                    <tr key={w.id}>
                      <td>
                        {w.label} {!w.enabled && <span className="badge">disabled</span>}
                      </td>
                      <td>
                        <Link to="/hosts/$hostId" params={{ hostId: w.host_id }}>
                          host
                        </Link>
                      </td>
                      <td>{w.recurrence}</td>
                      <td>{inZone(w.next_start_at, w.time_zone)}</td>
                      <td>{inZone(w.next_start_at, local)}</td>
                      <td>{w.duration_minutes} min</td>
                      <td>{w.auto_apply ? "yes" : "no"}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </QueryView>
      )}
    </>
  );
}
