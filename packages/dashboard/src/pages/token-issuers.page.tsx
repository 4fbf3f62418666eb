import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { ErrorState, QueryView } from "../ui/states";

const EMPTY = {
  name: "",
  description: "",
  issuer_uri: "",
  audience: "",
  condition: "",
  max_validity: 3600,
  service_account_id: "",
};

/** CI token issuers (OIDC): create, delete, and "explain" a pasted JWT against one (dry run). */
export function TokenIssuersPage() {
  const qc = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const [explainFor, setExplainFor] = useState("");
  const [jwt, setJwt] = useState("");
  const issuers = useQuery({ queryKey: ["token-issuers"], queryFn: () => ok(api.GET("/token-issuers")) });
  const accounts = useQuery({ queryKey: ["service-accounts"], queryFn: () => ok(api.GET("/service-accounts")) });
  const create = useMutation({
    mutationFn: () => ok(api.POST("/token-issuers", { body: form })),
    onSuccess: () => {
      setForm(EMPTY);
      void qc.invalidateQueries({ queryKey: ["token-issuers"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/token-issuers/{id}", { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["token-issuers"] }),
  });
  const explain = useMutation({
    mutationFn: () =>
      ok(api.POST("/token-issuers/{id}/explain", { params: { path: { id: explainFor } }, body: { jwt: jwt.trim() } })),
  });
  const field = (k: keyof typeof EMPTY, label: string, hint?: string) => (
    <label>
      {label}
      {hint && <span className="hint">{hint}</span>}
      <input
        required={k !== "description" && k !== "condition"}
        type={k === "max_validity" ? "number" : "text"}
        value={form[k]}
        onChange={(e) => setForm({ ...form, [k]: k === "max_validity" ? Number(e.target.value) : e.target.value })}
      />
    </label>
  );
  return (
    <>
      <div className="page-head">
        <h1>CI token issuers</h1>
      </div>
      <QueryView q={issuers} isEmpty={(d) => d.length === 0} empty="No token issuers yet.">
        {(rows) => (
          <table className="data">
            <caption className="visually-hidden">Token issuers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Issuer</th>
                <th scope="col">Audience</th>
                <th scope="col">Condition</th>
                <th scope="col">Max validity</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((i) => (
                <tr key={i.id}>
                  <td>{i.name}</td>
                  <td>
                    <code>{i.issuer_uri}</code>
                  </td>
                  <td>{i.audience}</td>
                  <td>
                    <code>{i.condition || "—"}</code>
                  </td>
                  <td>{i.max_validity} s</td>
                  <td>
                    <button type="button" onClick={() => setExplainFor(i.id)}>
                      Explain a JWT for {i.name}
                    </button>{" "}
                    <button type="button" className="danger" onClick={() => remove.mutate(i.id)}>
                      Delete {i.name}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
      {explainFor && (
        <section className="card" aria-labelledby="explain">
          <h2 id="explain">Explain (dry run, nothing is minted)</h2>
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              explain.mutate();
            }}
          >
            <label>
              CI job's JWT
              <textarea rows={4} required value={jwt} onChange={(e) => setJwt(e.target.value)} />
            </label>
            <button type="submit" className="primary" disabled={explain.isPending}>
              Explain
            </button>
          </form>
          {explain.isError && <ErrorState error={explain.error} />}
          {explain.data && (
            <>
              <p role="status">
                <strong>{explain.data.would_mint ? "Would mint a token." : "Would be refused."}</strong>
              </p>
              <table className="data">
                <caption className="visually-hidden">Checks</caption>
                <thead>
                  <tr>
                    <th scope="col">Check</th>
                    <th scope="col">Result</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {explain.data.checks.map((c) => (
                    <tr key={c.check}>
                      <td>{c.check}</td>
                      <td>
                        <span className={`badge ${c.ok ? "ok" : "bad"}`}>{c.ok ? "pass" : "fail"}</span>
                      </td>
                      <td>{c.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
      <section className="card" aria-labelledby="new-issuer">
        <h2 id="new-issuer">New token issuer</h2>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          {field("name", "Name")}
          {field("description", "Description")}
          {field("issuer_uri", "Issuer URL", "e.g. https://token.actions.githubusercontent.com")}
          {field("audience", "Audience")}
          {field("condition", "Claim condition (CEL)", 'e.g. claims.repository == "acme/infra"')}
          {field("max_validity", "Maximum validity (seconds)")}
          <label>
            Mints tokens for
            <select
              required
              value={form.service_account_id}
              onChange={(e) => setForm({ ...form, service_account_id: e.target.value })}
            >
              <option value="">Choose a service account…</option>
              {accounts.data?.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.role})
                </option>
              ))}
            </select>
          </label>
          {create.isError && <ErrorState error={create.error} />}
          <button type="submit" className="primary" disabled={create.isPending}>
            Create issuer
          </button>
        </form>
      </section>
    </>
  );
}
