import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { ErrorState, fmtTime, QueryView } from "../ui/states";

/** The secret of a token just created: shown once, with a copy button. */
function Secret({ value, onDone }: { value: string; onDone: () => void }) {
  return (
    <div className="alert ok" role="status">
      <p>Copy this token now; it is not shown again.</p>
      <div className="secret" data-testid="token-secret">
        {value}
      </div>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(value)}>
        Copy
      </button>{" "}
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

/** Personal API tokens and (admins) service accounts with their tokens. */
export function TokensPage() {
  const user = useUser();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [expires, setExpires] = useState("");
  const [secret, setSecret] = useState<string>();
  const [sa, setSa] = useState({ name: "", description: "", role: "operator" as "admin" | "operator" | "reporter" });
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => ok(api.GET("/tokens")) });
  const accounts = useQuery({
    queryKey: ["service-accounts"],
    queryFn: () => ok(api.GET("/service-accounts")),
    enabled: isAdmin(user),
  });
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/tokens", {
          body: { name: name.trim(), ...(expires ? { expires_at: new Date(expires).toISOString() } : {}) },
        }),
      ),
    onSuccess: (t) => {
      setSecret(t.secret);
      setName("");
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/tokens/{id}", { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["tokens"] }),
  });
  const createSa = useMutation({
    mutationFn: () => ok(api.POST("/service-accounts", { body: sa })),
    onSuccess: () => {
      setSa({ name: "", description: "", role: "operator" });
      void qc.invalidateQueries({ queryKey: ["service-accounts"] });
    },
  });
  const mint = useMutation({
    mutationFn: (id: string) =>
      ok(
        api.POST("/service-accounts/{id}/tokens", { params: { path: { id } }, body: { name: `token-${Date.now()}` } }),
      ),
    onSuccess: (t) => setSecret(t.secret),
  });
  const removeSa = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/service-accounts/{id}", { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["service-accounts"] }),
  });
  return (
    <>
      <div className="page-head">
        <h1>API tokens</h1>
      </div>
      {secret && <Secret value={secret} onDone={() => setSecret(undefined)} />}
      <section className="card" aria-labelledby="mine">
        <h2 id="mine">My tokens</h2>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label>
            Name
            <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Expires
            <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create token
          </button>
        </form>
        {create.isError && <ErrorState error={create.error} />}
        <QueryView q={tokens} isEmpty={(d) => d.length === 0} empty="No API tokens.">
          {(rows) => (
            <table className="data">
              <caption className="visually-hidden">My API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{fmtTime(t.created_at)}</td>
                    <td>{fmtTime(t.last_used_at)}</td>
                    <td>{t.expires_at ? fmtTime(t.expires_at) : "never"}</td>
                    <td>
                      <button type="button" className="danger" onClick={() => remove.mutate(t.id)}>
                        Delete {t.name}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryView>
      </section>
      {isAdmin(user) && (
        <section className="card" aria-labelledby="accounts">
          <h2 id="accounts">Service accounts</h2>
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              createSa.mutate();
            }}
          >
            <label>
              Name
              <input required value={sa.name} onChange={(e) => setSa({ ...sa, name: e.target.value })} />
            </label>
            <label>
              Description
              <input value={sa.description} onChange={(e) => setSa({ ...sa, description: e.target.value })} />
            </label>
            <label>
              Role
              <select
                value={sa.role}
                onChange={(e) => setSa({ ...sa, role: e.target.value as "admin" | "operator" | "reporter" })}
              >
                <option value="reporter">reporter</option>
                <option value="operator">operator</option>
                <option value="admin">admin</option>
              </select>
            </label>
            <button type="submit" disabled={createSa.isPending}>
              Create service account
            </button>
          </form>
          {(createSa.isError || mint.isError) && <ErrorState error={createSa.error ?? mint.error} />}
          <QueryView q={accounts} isEmpty={(d) => d.length === 0} empty="No service accounts.">
            {(rows) => (
              <table className="data">
                <caption className="visually-hidden">Service accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Description</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((a) => (
                    <tr key={a.id}>
                      <td>{a.name}</td>
                      <td>{a.role}</td>
                      <td>{a.description}</td>
                      <td>
                        <button type="button" onClick={() => mint.mutate(a.id)}>
                          New token for {a.name}
                        </button>{" "}
                        <button type="button" className="danger" onClick={() => removeSa.mutate(a.id)}>
                          Delete {a.name}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryView>
        </section>
      )}
    </>
  );
}
