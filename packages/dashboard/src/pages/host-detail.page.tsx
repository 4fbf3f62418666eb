import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { canWrite, isAdmin, useUser } from "../auth/use-session";
import { allPages } from "../lib/all-pages";
import { hostRoute } from "../router";
import { ErrorState, fmtTime, Loading, QueryView, StatusBadge } from "../ui/states";
import { HostUpdates } from "./host-updates";
import { RunScriptDrawer } from "./run-script";

/** One host: facts, groups, allowlisted scripts with Run, certificates and activity. */
export function HostDetailPage() {
  const { hostId } = hostRoute.useParams();
  const user = useUser();
  const qc = useQueryClient();
  const [run, setRun] = useState<string | undefined>();
  const [groupId, setGroupId] = useState("");
  const host = useQuery({
    queryKey: ["host", hostId],
    queryFn: () => ok(api.GET("/hosts/{id}", { params: { path: { id: hostId } } })),
  });
  const scripts = useQuery({
    queryKey: ["host-scripts", hostId],
    queryFn: () => ok(api.GET("/hosts/{id}/scripts", { params: { path: { id: hostId } } })),
  });
  const groups = useQuery({
    queryKey: ["host-groups", hostId],
    queryFn: () => ok(api.GET("/hosts/{id}/groups", { params: { path: { id: hostId } } })),
  });
  const allGroups = useQuery({ queryKey: ["groups"], queryFn: () => ok(api.GET("/groups")), enabled: isAdmin(user) });
  const certs = useQuery({
    queryKey: ["certificates", { host_id: hostId }],
    queryFn: () =>
      allPages((page) => ok(api.GET("/certificates", { params: { query: { host_id: hostId, ...page } } }))),
  });
  const activity = useQuery({
    queryKey: ["audit", { target: hostId }],
    queryFn: () => ok(api.GET("/audit", { params: { query: { target: hostId, limit: 20 } } })),
    enabled: isAdmin(user),
  });
  const addGroup = useMutation({
    mutationFn: (gid: string) =>
      done(api.POST("/hosts/{id}/groups", { params: { path: { id: hostId } }, body: { group_id: gid } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["host-groups", hostId] }),
  });
  const removeGroup = useMutation({
    mutationFn: (gid: string) =>
      done(api.DELETE("/hosts/{id}/groups/{group_id}", { params: { path: { id: hostId, group_id: gid } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["host-groups", hostId] }),
  });

  if (host.isPending) return <Loading />;
  if (host.isError) return <ErrorState error={host.error} retry={() => void host.refetch()} />;
  const h = host.data;
  return (
    <>
      <div className="page-head">
        <h1>{h.display_name || h.fqdn}</h1>
        <StatusBadge status={h.health_status} />
        <StatusBadge status={h.online ? "online" : "offline"} />
      </div>
      <p>
        <Link to="/hosts">← All hosts</Link>
      </p>
      <div className="grid-2">
        <section className="card" aria-labelledby="facts">
          <h2 id="facts">Facts</h2>
          <dl className="facts">
            <dt>FQDN</dt>
            <dd>{h.fqdn}</dd>
            <dt>IP address</dt>
            <dd>{h.ip_address}</dd>
            <dt>OS</dt>
            <dd>
              {h.os_name} ({h.os_family}, {h.arch})
            </dd>
            <dt>Agent</dt>
            <dd>{h.agent_version}</dd>
            <dt>Last seen</dt>
            <dd>{fmtTime(h.last_seen_at)}</dd>
            <dt>Registered</dt>
            <dd>{fmtTime(h.registered_at)}</dd>
            <dt>Last patched</dt>
            <dd>{fmtTime(h.last_patch_at)}</dd>
            <dt>CRL</dt>
            <dd>{h.crl_status}</dd>
            <dt>Tags</dt>
            <dd>
              {Object.entries(h.tags ?? {}).map(([k, v]) => (
                <span key={k} className="badge">
                  {k}={String(v)}
                </span>
              ))}
            </dd>
            <dt>Labels (agent-reported)</dt>
            <dd>
              {Object.entries(h.labels ?? {}).map(([k, v]) => (
                <span key={k} className="badge">
                  {k}={String(v)}
                </span>
              ))}
            </dd>
            {h.notes && (
              <>
                <dt>Notes</dt>
                <dd>{h.notes}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="card" aria-labelledby="updates">
          <h2 id="updates">Pending updates</h2>
          <HostUpdates hostId={hostId} caption="Pending updates" />
        </section>
        <section className="card" aria-labelledby="scripts">
          <h2 id="scripts">Allowlisted scripts</h2>
          <QueryView
            q={scripts}
            isEmpty={(d) => d.length === 0}
            empty="This host's agent reports no allowlisted scripts."
          >
            {(list) => (
              <ul>
                {list.map((s) => (
                  <li key={s.name}>
                    <code>{s.name}</code> <span className="hint">{s.description || s.path}</span>{" "}
                    {canWrite(user) && (
                      <button type="button" onClick={() => setRun(s.name)}>
                        Run {s.name}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
        </section>
        <section className="card" aria-labelledby="groups">
          <h2 id="groups">Groups</h2>
          <QueryView q={groups} isEmpty={(d) => d.length === 0} empty="In no group.">
            {(list) => (
              <ul>
                {list.map((g) => (
                  <li key={g.id}>
                    {g.name}{" "}
                    {isAdmin(user) && (
                      <button type="button" onClick={() => removeGroup.mutate(g.id)}>
                        Remove from {g.name}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
          {isAdmin(user) && allGroups.data && (
            <form
              className="toolbar"
              onSubmit={(e) => {
                e.preventDefault();
                if (groupId) addGroup.mutate(groupId);
              }}
            >
              <label>
                Add to group
                <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
                  <option value="">Choose…</option>
                  {allGroups.data.map((g) => (
                    <option key={g.id} value={g.id}>
                      {g.name}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit">Add</button>
            </form>
          )}
          {(addGroup.isError || removeGroup.isError) && <ErrorState error={addGroup.error ?? removeGroup.error} />}
        </section>
        <section className="card" aria-labelledby="certs">
          <h2 id="certs">Certificates</h2>
          <QueryView q={certs} isEmpty={(d) => d.length === 0} empty="No certificates.">
            {(list) => (
              <ul>
                {list.map((c) => (
                  <li key={c.id}>
                    <code>{c.serial_number}</code> <StatusBadge status={c.status} /> expires {fmtTime(c.expires_at)}
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
        </section>
      </div>
      {isAdmin(user) && (
        <section className="card" aria-labelledby="activity">
          <h2 id="activity">Activity</h2>
          <QueryView q={activity} isEmpty={(d) => d.entries.length === 0} empty="No recorded activity.">
            {(d) => (
              <ul>
                {d.entries.map((e) => (
                  <li key={e.id}>
                    {fmtTime(e.at)} — {e.action} by {e.actor_name ?? "system"}
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
        </section>
      )}
      {run !== undefined && (
        <RunScriptDrawer
          open
          onOpenChange={(o) => !o && setRun(undefined)}
          script={run}
          hosts={[{ id: h.id, name: h.fqdn, online: h.online }]}
        />
      )}
    </>
  );
}
