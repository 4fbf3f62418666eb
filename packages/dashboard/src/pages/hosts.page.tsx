import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { api, done, ok } from "../api/client";
import { canWrite, isAdmin, useUser } from "../auth/use-session";
import { currentView, deleteView, loadViews, saveView } from "../lib/saved-views";
import type { HostsSearch } from "../lib/search";
import { hostsRoute } from "../router";
import { Confirm } from "../ui/confirm";
import { DataTable, Pager } from "../ui/data-table";
import { Empty, ErrorState, fmtTime, Loading, messageOf, StatusBadge } from "../ui/states";
import { RunScriptDrawer } from "./run-script";

const LIMIT = 50;
type Host = {
  id: string;
  fqdn: string;
  display_name: string;
  ip_address: string;
  os_name: string;
  health_status: string;
  agent_version: string;
  patches_missing: number;
  online: boolean;
  last_seen_at: string | null;
};
const col = createColumnHelper<Host>();

/** Hosts: search, filters, sort and page live in the URL; every query is answered by the server. */
export function HostsPage() {
  const search = hostsRoute.useSearch();
  const navigate = useNavigate({ from: hostsRoute.fullPath });
  const user = useUser();
  const qc = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [runOpen, setRunOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [draft, setDraft] = useState(search.search ?? "");
  const [views, setViews] = useState(loadViews);
  const [viewName, setViewName] = useState("");
  /** "All N matching" chosen: bulk actions go to the server as the filter, not as ids. */
  const [allChosen, setAllMatching] = useState(false);
  const groups = useQuery({ queryKey: ["groups"], queryFn: () => ok(api.GET("/groups")) });
  const set = (patch: Partial<HostsSearch>) => {
    setAllMatching(false);
    return navigate({ search: (prev) => ({ ...prev, offset: 0, ...patch }), replace: true });
  };
  const active = currentView(views, search);

  const q = useQuery({
    queryKey: ["hosts", search],
    queryFn: () => ok(api.GET("/hosts", { params: { query: { ...search, limit: LIMIT } } })),
    placeholderData: keepPreviousData,
  });
  const rows = (q.data?.hosts ?? []) as Host[];

  const remove = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await done(api.DELETE("/hosts/{id}", { params: { path: { id } } }));
    },
    onSettled: () => {
      setSelected(new Set());
      setDeleteOpen(false);
      void qc.invalidateQueries({ queryKey: ["hosts"] });
    },
    onSuccess: (_d, ids) => setNotice(`Deleted ${ids.length} host(s).`),
    onError: (e) => setNotice(messageOf(e)),
  });

  const exportHosts = useMutation({
    mutationFn: () => {
      const { offset: _o, ...filters } = search;
      return ok(api.POST("/exports", { body: { kind: "hosts", format: "csv", filters } }));
    },
    onSuccess: () => navigate({ to: "/exports" }),
    onError: (e) => setNotice(messageOf(e)),
  });

  const columns = useMemo(
    () => [
      col.display({
        id: "select",
        header: () => (
          <input
            type="checkbox"
            aria-label="Select all hosts on this page"
            checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
            onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())}
          />
        ),
        cell: (c) => (
          <input
            type="checkbox"
            aria-label={`Select ${c.row.original.fqdn}`}
            checked={selected.has(c.row.original.id)}
            onChange={(e) => {
              const next = new Set(selected);
              if (e.target.checked) next.add(c.row.original.id);
              else next.delete(c.row.original.id);
              setSelected(next);
            }}
          />
        ),
      }),
      col.accessor("fqdn", {
        header: "Host",
        cell: (c) => (
          <Link to="/hosts/$hostId" params={{ hostId: c.row.original.id }}>
            {c.row.original.display_name || c.getValue()}
          </Link>
        ),
      }),
      col.accessor("ip_address", { header: "IP" }),
      col.accessor("os_name", { id: "os", header: "OS" }),
      col.accessor("health_status", { header: "Health", cell: (c) => <StatusBadge status={c.getValue()} /> }),
      col.accessor("online", {
        header: "Agent",
        enableSorting: false,
        cell: (c) => <StatusBadge status={c.getValue() ? "online" : "offline"} />,
      }),
      col.accessor("agent_version", { header: "Version" }),
      col.accessor("patches_missing", { header: "Missing patches" }),
      col.accessor("last_seen_at", { header: "Last seen", enableSorting: false, cell: (c) => fmtTime(c.getValue()) }),
    ],
    [rows, selected],
  );

  const selectedIds = [...selected];
  const filtered = Boolean(
    search.search || search.health_status || search.patches_missing || search.os_family || search.group_id,
  );
  const total = q.data?.total ?? 0;
  // A job's host_filter can carry a group: "all matching" is offered when the group is the only filter.
  const groupOnly =
    search.group_id !== undefined &&
    !(search.search || search.health_status || search.patches_missing || search.os_family);
  const groupName = groups.data?.find((g) => g.id === search.group_id)?.name ?? "the group";
  const pageAllSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const allMatching = allChosen && groupOnly && pageAllSelected;
  return (
    <>
      <div className="page-head">
        <h1>Hosts</h1>
        <button type="button" onClick={() => exportHosts.mutate()} disabled={exportHosts.isPending}>
          Export matching (CSV)
        </button>
      </div>
      <search>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void set({ search: draft.trim() || undefined });
          }}
        >
          <label>
            Search
            <input
              data-page-search
              type="search"
              placeholder="name, FQDN or IP  ( / )"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
            />
          </label>
          <label>
            Health
            <select
              value={search.health_status ?? ""}
              onChange={(e) =>
                void set({ health_status: (e.target.value || undefined) as HostsSearch["health_status"] })
              }
            >
              <option value="">Any</option>
              <option value="healthy">Healthy</option>
              <option value="degraded">Degraded</option>
              <option value="unreachable">Unreachable</option>
              <option value="pending">Pending</option>
            </select>
          </label>
          <label>
            Patches
            <select
              value={search.patches_missing ?? ""}
              onChange={(e) =>
                void set({ patches_missing: (e.target.value || undefined) as HostsSearch["patches_missing"] })
              }
            >
              <option value="">Any</option>
              <option value="missing">Missing</option>
              <option value="uptodate">Up to date</option>
            </select>
          </label>
          <label>
            Group
            <select value={search.group_id ?? ""} onChange={(e) => void set({ group_id: e.target.value || undefined })}>
              <option value="">Any</option>
              {groups.data?.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Apply</button>
          {filtered && (
            <button
              type="button"
              onClick={() => {
                setDraft("");
                setAllMatching(false);
                void navigate({ search: { offset: 0 }, replace: true });
              }}
            >
              Clear filters
            </button>
          )}
        </form>
      </search>
      <section className="toolbar" aria-label="Saved views">
        <label>
          Saved view
          <select
            value={active ?? ""}
            onChange={(e) => {
              const v = views[e.target.value];
              if (!v) return;
              setDraft(v.search ?? "");
              setAllMatching(false);
              void navigate({ search: { ...v, offset: 0 }, replace: true });
            }}
          >
            <option value="">{active ? "" : "(unsaved filters)"}</option>
            {Object.keys(views)
              .sort()
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
        </label>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!viewName.trim()) return;
            setViews(saveView(viewName, search));
            setViewName("");
          }}
        >
          <label>
            Save these filters as
            <input value={viewName} onChange={(e) => setViewName(e.target.value)} maxLength={60} />
          </label>
          <button type="submit" disabled={!viewName.trim()}>
            Save view
          </button>
        </form>
        {active && (
          <button type="button" onClick={() => setViews(deleteView(active))}>
            Delete view {active}
          </button>
        )}
      </section>
      {notice && (
        <div className="alert info" role="status">
          {notice}
        </div>
      )}
      {canWrite(user) && selectedIds.length > 0 && (
        <section className="toolbar" aria-label="Bulk actions">
          <strong>
            {allMatching ? `All ${total} matching hosts in ${groupName}` : `${selectedIds.length} selected`}
          </strong>
          {groupOnly && pageAllSelected && total > rows.length && !allMatching && (
            <button type="button" onClick={() => setAllMatching(true)}>
              Select all {total} matching
            </button>
          )}
          <button type="button" className="primary" onClick={() => setRunOpen(true)}>
            Run script…
          </button>
          {isAdmin(user) && !allMatching && (
            <button type="button" className="danger" onClick={() => setDeleteOpen(true)}>
              Delete…
            </button>
          )}
          <button
            type="button"
            onClick={() => {
              setSelected(new Set());
              setAllMatching(false);
            }}
          >
            Clear selection
          </button>
        </section>
      )}
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : rows.length === 0 ? (
        filtered ? (
          <Empty>No host matches these filters.</Empty>
        ) : (
          <Empty>
            <p>No hosts yet. Create a one-time enrollment token, then on the host:</p>
            <pre className="secret">
              {`fleetgate-agent enroll --config /etc/fleetgate/agent.yaml --token <token>\n# agent.yaml: server: ${window.location.origin}`}
            </pre>
            {isAdmin(user) && <Link to="/enrollments">Create an enrollment token</Link>}
          </Empty>
        )
      ) : (
        <>
          <DataTable
            caption="Hosts"
            rows={rows}
            columns={columns}
            rowKey={(h) => h.id}
            sort={search.sort_by ? { id: search.sort_by, desc: search.order === "desc" } : { id: "fqdn", desc: false }}
            onSort={(s) => void set({ sort_by: s.id as HostsSearch["sort_by"], order: s.desc ? "desc" : "asc" })}
          />
          <Pager
            offset={search.offset}
            limit={LIMIT}
            total={q.data.total}
            onPage={(offset) => void navigate({ search: (prev) => ({ ...prev, offset }) })}
          />
        </>
      )}
      <RunScriptDrawer
        open={runOpen}
        onOpenChange={setRunOpen}
        hosts={rows.filter((r) => selected.has(r.id)).map((r) => ({ id: r.id, name: r.fqdn, online: r.online }))}
        filter={
          allMatching && search.group_id
            ? { group_id: search.group_id, count: total, label: `group ${groupName}` }
            : undefined
        }
      />
      <Confirm
        open={deleteOpen}
        onOpenChange={setDeleteOpen}
        title={`Delete ${selectedIds.length} host(s)?`}
        description="Their certificates stop working and their history is kept in the audit log."
        action="Delete"
        typed={selectedIds.length >= 5 ? String(selectedIds.length) : undefined}
        busy={remove.isPending}
        onConfirm={() => remove.mutate(selectedIds)}
      />
    </>
  );
}
