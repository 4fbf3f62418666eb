import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, done, endpointExists, ok } from "../api/client";
import { canWrite, useUser } from "../auth/use-session";
import { Confirm } from "../ui/confirm";
import { ErrorState, Loading, QueryView } from "../ui/states";
import { MaintenanceWindowDialog } from "./maintenance-window-dialog";
import { Availability } from "./unavailable.page";

type Window = Schemas["MaintenanceWindow"];

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
  const user = useUser();
  const qc = useQueryClient();
  /** The window being edited; null = a new one; undefined = no dialog. */
  const [editing, setEditing] = useState<Window | null | undefined>();
  const [deleting, setDeleting] = useState<Window | undefined>();
  const remove = useMutation({
    mutationFn: (w: Window) =>
      done(
        api.DELETE("/hosts/{host_id}/maintenance-windows/{win_id}", {
          params: { path: { host_id: w.host_id, win_id: w.id } },
        }),
      ),
    onSuccess: () => {
      setDeleting(undefined);
      void qc.invalidateQueries({ queryKey: ["maintenance-windows"] });
    },
  });
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
        {has.data === true && canWrite(user) && (
          <button type="button" className="primary" onClick={() => setEditing(null)}>
            New window
          </button>
        )}
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
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
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
                      <td>
                        {canWrite(user) && (
                          <span className="row-actions">
                            <button type="button" onClick={() => setEditing(w)}>
                              Edit {w.label}
                            </button>
                            <button type="button" className="danger" onClick={() => setDeleting(w)}>
                              Delete {w.label}
                            </button>
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </QueryView>
      )}
      {editing !== undefined && (
        <MaintenanceWindowDialog open onOpenChange={(o) => !o && setEditing(undefined)} window={editing ?? undefined} />
      )}
      <Confirm
        open={deleting !== undefined}
        onOpenChange={(o) => !o && setDeleting(undefined)}
        title={`Delete window ${deleting?.label ?? ""}?`}
        description="The window is removed from the host's schedule."
        action="Delete window"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
      {remove.isError && <ErrorState error={remove.error} />}
    </>
  );
}
