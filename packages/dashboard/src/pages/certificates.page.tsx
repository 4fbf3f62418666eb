import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { allPages } from "../lib/all-pages";
import { perWeek } from "../lib/buckets";
import { certificatesRoute } from "../router";
import { Chart } from "../ui/chart";
import { Dialog } from "../ui/dialog";
import { ErrorState, fmtTime, QueryView, StatusBadge } from "../ui/states";

const REASONS = [
  "unspecified",
  "keyCompromise",
  "caCompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "privilegeWithdrawn",
] as const;
type Reason = (typeof REASONS)[number];

/** Certificates: status filter (URL), expiring-per-week chart, revoke with reason, CRL and CA bundle. */
export function CertificatesPage() {
  const search = certificatesRoute.useSearch();
  const navigate = useNavigate({ from: certificatesRoute.fullPath });
  const user = useUser();
  const qc = useQueryClient();
  const [revoking, setRevoking] = useState<{ id: string; cn: string } | undefined>();
  const [reason, setReason] = useState<Reason>("unspecified");
  const q = useQuery({
    queryKey: ["certificates", search],
    queryFn: () =>
      allPages((page) => ok(api.GET("/certificates", { params: { query: { status: search.status, ...page } } }))),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/certificates/{id}", { params: { path: { id }, query: { reason } } })),
    onSuccess: () => {
      setRevoking(undefined);
      void qc.invalidateQueries({ queryKey: ["certificates"] });
    },
  });
  const now = Date.now();
  const weeks = perWeek(
    (q.data ?? []).filter((c) => c.status === "active").map((c) => c.expires_at),
    now,
    12,
  );
  return (
    <>
      <div className="page-head">
        <h1>Certificates</h1>
        <a className="button" href="/api/v1/ca/root.crt" download="fleetgate-ca.crt">
          CA bundle
        </a>
        <a className="button" href="/api/v1/pki/crl.pem" download="fleetgate.crl.pem">
          CRL
        </a>
      </div>
      <div className="toolbar">
        <label>
          Status
          <select
            value={search.status ?? ""}
            onChange={(e) =>
              void navigate({
                search: { status: (e.target.value || undefined) as "active" | "revoked" | "expired" | undefined },
              })
            }
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="revoked">Revoked</option>
            <option value="expired">Expired</option>
          </select>
        </label>
      </div>
      <Chart
        title="Active certificates expiring per week"
        kind="bars"
        xLabel="Week starting"
        data={{ x: weeks.start.map((_, i) => i), series: [{ label: "Expiring", values: weeks.counts }] }}
        formatX={(i) => new Date(weeks.start[i] ?? now).toLocaleDateString()}
      />
      <QueryView q={q} isEmpty={(d) => d.length === 0} empty="No certificates match.">
        {(rows) => (
          <table className="data">
            <caption className="visually-hidden">Certificates</caption>
            <thead>
              <tr>
                <th scope="col">Common name</th>
                <th scope="col">Serial</th>
                <th scope="col">Status</th>
                <th scope="col">Issued</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>{c.common_name}</td>
                  <td>
                    <code>{c.serial_number}</code>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{fmtTime(c.issued_at)}</td>
                  <td>{fmtTime(c.expires_at)}</td>
                  <td>
                    {isAdmin(user) && c.status === "active" && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => setRevoking({ id: c.id, cn: c.common_name })}
                      >
                        Revoke {c.common_name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
      <Dialog
        open={revoking !== undefined}
        onOpenChange={(o) => !o && setRevoking(undefined)}
        title={`Revoke ${revoking?.cn ?? ""}?`}
        description="The certificate goes on the CRL at once; the host must re-enroll."
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (revoking) revoke.mutate(revoking.id);
          }}
        >
          <label>
            Reason (RFC 5280 §5.3.1)
            <select value={reason} onChange={(e) => setReason(e.target.value as Reason)}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          {revoke.isError && <ErrorState error={revoke.error} />}
          <div className="actions">
            <button type="button" onClick={() => setRevoking(undefined)}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={revoke.isPending}>
              Revoke
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
