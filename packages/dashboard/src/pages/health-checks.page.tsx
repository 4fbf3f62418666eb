import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, done, endpointExists, ok } from "../api/client";
import { canWrite, useUser } from "../auth/use-session";
import { Confirm } from "../ui/confirm";
import { ErrorState, fmtTime, Loading, QueryView } from "../ui/states";
import { HealthCheckDialog } from "./health-check-dialog";
import { Availability } from "./unavailable.page";

type Check = Schemas["HealthCheck"];

/** Failing first, then never run, then healthy; by name within each. */
export function failingFirst<C extends { name: string; last_result: { healthy: boolean } | null }>(checks: C[]): C[] {
  const rank = (c: C) => (c.last_result ? (c.last_result.healthy ? 2 : 0) : 1);
  return [...checks].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** Health checks on the hosts the user may see, failing first. */
export function HealthChecksPage() {
  const user = useUser();
  const qc = useQueryClient();
  const has = useQuery({
    queryKey: ["probe", "health-checks"],
    queryFn: () => endpointExists(/^\/health-checks$/),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const q = useQuery({
    queryKey: ["health-checks"],
    queryFn: () => ok(api.GET("/health-checks")),
    enabled: has.data === true,
    refetchInterval: 30_000,
  });
  /** The check being edited; null = a new one; undefined = no dialog. */
  const [editing, setEditing] = useState<Check | null | undefined>();
  const [deleting, setDeleting] = useState<Check | undefined>();
  const remove = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/health-checks/{check_id}", { params: { path: { check_id: id } } })),
    onSuccess: () => {
      setDeleting(undefined);
      void qc.invalidateQueries({ queryKey: ["health-checks"] });
    },
  });
  return (
    <>
      <div className="page-head">
        <h1>Health checks</h1>
        {has.data === true && canWrite(user) && (
          <button type="button" className="primary" onClick={() => setEditing(null)}>
            New check
          </button>
        )}
      </div>
      {has.data !== true ? (
        has.isPending ? (
          <Loading />
        ) : (
          <Availability q={has} paths="/api/v1/health-checks" what="health checks" />
        )
      ) : (
        <QueryView q={q} isEmpty={(d) => d.checks.length === 0} empty="No health checks yet.">
          {(d) => (
            <table className="data">
              <caption className="visually-hidden">Health checks, failing first</caption>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Host</th>
                  <th scope="col">Target</th>
                  <th scope="col">Result</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Checked</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {failingFirst(d.checks).map((c) => (
                  <tr key={c.id}>
                    <td>
                      {c.name} {!c.enabled && <span className="badge">disabled</span>}
                    </td>
                    <td>
                      <Link to="/hosts/$hostId" params={{ hostId: c.host_id }}>
                        host
                      </Link>
                    </td>
                    <td>
                      {c.check_type}: <code>{c.check_type === "service" ? c.service_name : c.url}</code>
                    </td>
                    <td>
                      {c.last_result ? (
                        <>
                          <span className={`badge ${c.last_result.healthy ? "ok" : "bad"}`}>
                            {c.last_result.healthy ? "healthy" : "failing"}
                          </span>{" "}
                          <span className="hint">{c.last_result.detail}</span>
                        </>
                      ) : (
                        <span className="badge">not run yet</span>
                      )}
                    </td>
                    <td>{c.last_result ? `${c.last_result.latency_ms} ms` : "—"}</td>
                    <td>{fmtTime(c.last_result?.checked_at)}</td>
                    <td>
                      {canWrite(user) && (
                        <span className="row-actions">
                          <button type="button" onClick={() => setEditing(c)}>
                            Edit {c.name}
                          </button>
                          <button type="button" className="danger" onClick={() => setDeleting(c)}>
                            Delete {c.name}
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
        <HealthCheckDialog open onOpenChange={(o) => !o && setEditing(undefined)} check={editing ?? undefined} />
      )}
      <Confirm
        open={deleting !== undefined}
        onOpenChange={(o) => !o && setDeleting(undefined)}
        title={`Delete check ${deleting?.name ?? ""}?`}
        description="Its results go with it; patch rollouts stop consulting it."
        action="Delete check"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      />
      {remove.isError && <ErrorState error={remove.error} />}
    </>
  );
}
