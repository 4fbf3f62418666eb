import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { auditRoute } from "../router";
import { Dialog } from "../ui/dialog";
import { ErrorState, fmtTime, Loading } from "../ui/states";

type Entry = {
  id: string;
  seq: number;
  at: string;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  source_ip: string | null;
  detail: unknown;
};

/** The audit log: filters in the URL, keyset paging, a JSON view per entry, chain verification. */
export function AuditPage() {
  const search = auditRoute.useSearch();
  const navigate = useNavigate({ from: auditRoute.fullPath });
  const user = useUser();
  const [draft, setDraft] = useState(search);
  const [open, setOpen] = useState<Entry | undefined>();
  const toIso = (v?: string) => (v ? new Date(v).toISOString() : undefined);
  const q = useInfiniteQuery({
    queryKey: ["audit", search],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      ok(
        api.GET("/audit", {
          params: {
            query: {
              actor: search.actor,
              action: search.action,
              target: search.target,
              from: toIso(search.from),
              to: toIso(search.to),
              cursor: pageParam,
              limit: 50,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const verify = useMutation({ mutationFn: () => ok(api.POST("/settings/audit-integrity")) });
  const entries = (q.data?.pages.flatMap((p) => p.entries) ?? []) as Entry[];
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        {isAdmin(user) && (
          <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
            Verify chain
          </button>
        )}
      </div>
      {verify.data && (
        <div className={`alert ${verify.data.intact ? "ok" : "error"}`} role="status">
          {verify.data.intact
            ? `Chain intact: ${verify.data.rows_checked} entries checked.`
            : `Chain broken: ${verify.data.errors.length} problem(s) in ${verify.data.rows_checked} entries.`}
        </div>
      )}
      {verify.isError && <ErrorState error={verify.error} />}
      <search>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            const clean = Object.fromEntries(Object.entries(draft).filter(([, v]) => v));
            void navigate({ search: clean });
          }}
        >
          {(["actor", "action", "target"] as const).map((k) => (
            <label key={k}>
              {k[0]?.toUpperCase() + k.slice(1)}
              <input
                data-page-search={k === "action" ? true : undefined}
                value={draft[k] ?? ""}
                onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
              />
            </label>
          ))}
          <label>
            From
            <input
              type="datetime-local"
              value={draft.from ?? ""}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              value={draft.to ?? ""}
              onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            />
          </label>
          <button type="submit">Filter</button>
        </form>
      </search>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : entries.length === 0 ? (
        <div className="state">No audit entries match.</div>
      ) : (
        <>
          <table className="data">
            <caption className="visually-hidden">Audit entries</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{e.seq}</td>
                  <td>{fmtTime(e.at)}</td>
                  <td>{e.actor_name ?? "system"}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target_type ? `${e.target_type} ${e.target_id ?? ""}` : "—"}</td>
                  <td>{e.outcome}</td>
                  <td>
                    <button type="button" onClick={() => setOpen(e)}>
                      Details #{e.seq}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {q.hasNextPage && (
            <button type="button" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
              Load older entries
            </button>
          )}
        </>
      )}
      <Dialog
        open={open !== undefined}
        onOpenChange={(o) => !o && setOpen(undefined)}
        title={`Audit entry #${open?.seq ?? ""}`}
      >
        <pre className="secret">{JSON.stringify(open, null, 2)}</pre>
      </Dialog>
    </>
  );
}
