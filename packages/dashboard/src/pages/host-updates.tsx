import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import { fmtTime, QueryView } from "../ui/states";

const LIMIT = 50;

/** A host's pending updates as the server orders them: security first, then unknown, then the rest. */
export function HostUpdates({ hostId, caption }: { hostId: string; caption: string }) {
  const q = useQuery({
    queryKey: ["host-updates", hostId],
    queryFn: () =>
      ok(api.GET("/hosts/{id}/updates", { params: { path: { id: hostId }, query: { limit: LIMIT, offset: 0 } } })),
  });
  return (
    <QueryView
      q={q}
      isEmpty={(d) => d.updates.length === 0}
      empty={
        q.data?.inventory
          ? `No pending updates (inventory of ${fmtTime(q.data.inventory.collected_at)}).`
          : "This host has not reported its packages yet."
      }
    >
      {(d) => (
        <>
          {d.inventory && (
            <p className="hint">
              {d.inventory.update_count} pending, {d.inventory.security_update_count} security
              {d.inventory.reboot_required ? "; a reboot is required" : ""} — inventory of{" "}
              {fmtTime(d.inventory.collected_at)}.
            </p>
          )}
          <table className="data" data-updates={hostId}>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Installed</th>
                <th scope="col">Candidate</th>
                <th scope="col">Security</th>
                <th scope="col">CVEs</th>
              </tr>
            </thead>
            <tbody>
              {d.updates.map((u) => (
                <tr key={`${u.name}:${u.arch}`}>
                  <td className="mono">
                    {u.name}:{u.arch}
                  </td>
                  <td className="mono">{u.installed_version ?? "(new)"}</td>
                  <td className="mono">{u.candidate_version}</td>
                  <td>
                    {u.security === true ? (
                      <span className="badge bad">security</span>
                    ) : u.security === "unknown" ? (
                      <span className="badge warn">unknown</span>
                    ) : (
                      "no"
                    )}
                  </td>
                  <td>{u.cve_ids.length ? u.cve_ids.join(", ") : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.total > d.updates.length && (
            <p className="hint">
              Showing {d.updates.length} of {d.total}.
            </p>
          )}
        </>
      )}
    </QueryView>
  );
}
