import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ConflictError, done, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { allPages } from "../lib/all-pages";
import { Empty, ErrorState, fmtTime, messageOf, QueryView } from "../ui/states";

type Outcome = { id: string; fqdn: string; ok: boolean; message: string };

/** Self-enrollment approval queue (bulk approve/deny) and one-time enrollment tokens. */
export function EnrollmentsPage() {
  const user = useUser();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [name, setName] = useState("");
  const [ttl, setTtl] = useState(10800);
  const [created, setCreated] = useState<{ name: string; jwt: string } | undefined>();
  const pending = useQuery({
    queryKey: ["enrollments", "pending"],
    queryFn: () => allPages((page) => ok(api.GET("/admin/enrollments", { params: { query: page } }))),
    enabled: isAdmin(user),
    refetchInterval: 10_000,
  });
  const tokens = useQuery({ queryKey: ["enrollments", "tokens"], queryFn: () => ok(api.GET("/enrollments")) });

  const decide = useMutation({
    mutationFn: async (action: "approve" | "deny") => {
      const rows = (pending.data ?? []).filter((p) => picked.has(p.id));
      const results: Outcome[] = [];
      for (const p of rows) {
        try {
          if (action === "approve") {
            await done(api.POST("/admin/enrollments/{id}/approve", { params: { path: { id: p.id } } }));
          } else {
            await done(api.DELETE("/admin/enrollments/{id}/deny", { params: { path: { id: p.id } } }));
          }
          results.push({ id: p.id, fqdn: p.fqdn, ok: true, message: action === "approve" ? "approved" : "denied" });
        } catch (e) {
          const collision = e instanceof ConflictError && e.status === 409;
          results.push({
            id: p.id,
            fqdn: p.fqdn,
            ok: false,
            message: collision ? `collides with an existing host: ${e.message}` : messageOf(e),
          });
        }
      }
      return results;
    },
    onSuccess: (r) => {
      setOutcomes(r);
      setPicked(new Set());
      void qc.invalidateQueries({ queryKey: ["enrollments"] });
      void qc.invalidateQueries({ queryKey: ["hosts"] });
    },
  });

  const create = useMutation({
    mutationFn: () =>
      ok(api.POST("/enrollments", { body: { name: name.trim(), kind: "host", method: "ott", expires_in: ttl } })),
    onSuccess: (e) => {
      setCreated({ name: e.name ?? name, jwt: e.jwt ?? "" });
      setName("");
      void qc.invalidateQueries({ queryKey: ["enrollments", "tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/enrollments/{id}", { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["enrollments", "tokens"] }),
  });

  return (
    <>
      <div className="page-head">
        <h1>Enrollment</h1>
      </div>
      {isAdmin(user) && (
        <section className="card" aria-labelledby="queue">
          <h2 id="queue">Waiting for approval</h2>
          <QueryView q={pending} isEmpty={(d) => d.length === 0} empty="No host is waiting for approval.">
            {(rows) => (
              <>
                <div className="toolbar">
                  <button
                    type="button"
                    className="primary"
                    disabled={picked.size === 0 || decide.isPending}
                    onClick={() => decide.mutate("approve")}
                  >
                    Approve {picked.size || ""}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={picked.size === 0 || decide.isPending}
                    onClick={() => decide.mutate("deny")}
                  >
                    Deny {picked.size || ""}
                  </button>
                </div>
                <table className="data">
                  <caption className="visually-hidden">Pending enrollments</caption>
                  <thead>
                    <tr>
                      <th scope="col">
                        <input
                          type="checkbox"
                          aria-label="Select all pending enrollments"
                          checked={rows.every((r) => picked.has(r.id))}
                          onChange={(e) => setPicked(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())}
                        />
                      </th>
                      <th scope="col">FQDN</th>
                      <th scope="col">IP</th>
                      <th scope="col">Machine id</th>
                      <th scope="col">OS</th>
                      <th scope="col">CSR</th>
                      <th scope="col">Requested</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.id}>
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select ${r.fqdn}`}
                            checked={picked.has(r.id)}
                            onChange={(e) => {
                              const next = new Set(picked);
                              if (e.target.checked) next.add(r.id);
                              else next.delete(r.id);
                              setPicked(next);
                            }}
                          />
                        </td>
                        <td>{r.fqdn}</td>
                        <td>{r.ip_address}</td>
                        <td>
                          <code>{r.machine_id}</code>
                        </td>
                        <td>
                          {String(
                            (r.os_details as Record<string, unknown>).name ??
                              (r.os_details as Record<string, unknown>).os ??
                              "—",
                          )}
                        </td>
                        <td>{r.has_csr ? "yes" : "no"}</td>
                        <td>{fmtTime(r.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </QueryView>
          {outcomes.length > 0 && (
            <ul aria-live="polite">
              {outcomes.map((o) => (
                <li key={o.id} className={o.ok ? "" : "alert error"}>
                  {o.fqdn}: {o.message}
                </li>
              ))}
            </ul>
          )}
          {decide.isError && <ErrorState error={decide.error} />}
        </section>
      )}
      <section className="card" aria-labelledby="tokens">
        <h2 id="tokens">One-time enrollment tokens</h2>
        {isAdmin(user) && (
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <label>
              Host name
              <input required maxLength={253} value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label>
              Valid for
              <select value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
                <option value={3600}>1 hour</option>
                <option value={10800}>3 hours</option>
                <option value={86400}>1 day</option>
                <option value={604800}>7 days</option>
              </select>
            </label>
            <button type="submit" className="primary" disabled={create.isPending}>
              Create token
            </button>
          </form>
        )}
        {create.isError && <ErrorState error={create.error} />}
        {created && (
          <div className="alert ok" role="status">
            <p>
              Token for <strong>{created.name}</strong> (shown once). On the host:
            </p>
            <pre className="secret">{`fleetgate-agent enroll --config /etc/fleetgate/agent.yaml --token ${created.jwt}\n# agent.yaml: server: ${window.location.origin}`}</pre>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.jwt)}>
              Copy token
            </button>
          </div>
        )}
        <QueryView q={tokens} isEmpty={(d) => d.length === 0} empty="No enrollment tokens.">
          {(rows) => (
            <table className="data">
              <caption className="visually-hidden">Enrollment tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>
                      {t.kind} / {t.method}
                    </td>
                    <td>{fmtTime(t.expires_at)}</td>
                    <td>{fmtTime(t.used_at)}</td>
                    <td>
                      {isAdmin(user) && !t.used_at && (
                        <button type="button" onClick={() => revoke.mutate(t.id)}>
                          Revoke {t.name}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryView>
        {!isAdmin(user) && <Empty>Only administrators create enrollment tokens.</Empty>}
      </section>
    </>
  );
}
