import type { Schemas } from "@fleetgate/sdk";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok } from "../api/client";
import { canWrite, useUser } from "../auth/use-session";
import { patchingRoute } from "../router";
import { Pager } from "../ui/data-table";
import { QueryView, StatusBadge } from "../ui/states";
import { HostUpdates } from "./host-updates";
import { PatchPlanForm } from "./patch-plan-form";

const LIMIT = 50;
type Host = Schemas["HostSummary"];

/**
 * Patch deployment: hosts with pending updates (most first; each host's updates security
 * first), a selection, and the plan of the deployment (patch-plan-form.tsx).
 */
export function PatchingPage() {
  const search = patchingRoute.useSearch();
  const navigate = useNavigate({ from: patchingRoute.fullPath });
  const user = useUser();
  const [selected, setSelected] = useState<Map<string, Host>>(new Map());
  const [open, setOpen] = useState<string | undefined>();
  const [text, setText] = useState(search.search ?? "");
  const hosts = useQuery({
    queryKey: ["patching", "hosts", search],
    queryFn: () =>
      ok(
        api.GET("/hosts", {
          params: {
            query: {
              ...(search.search ? { search: search.search } : {}),
              ...(search.scope === "missing" ? { patches_missing: "missing" as const } : {}),
              sort_by: "patches_missing",
              order: "desc",
              limit: LIMIT,
              offset: search.offset,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const toggle = (h: Host, on: boolean) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (on) next.set(h.id, h);
      else next.delete(h.id);
      return next;
    });

  return (
    <>
      <div className="page-head">
        <h1>Patch deployment</h1>
      </div>
      <form
        className="toolbar card"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({ search: { ...search, search: text.trim() || undefined, offset: 0 } });
        }}
      >
        <label>
          Search hosts
          <input data-page-search value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          Show
          <select
            value={search.scope}
            onChange={(e) =>
              void navigate({ search: { ...search, scope: e.target.value === "all" ? "all" : "missing", offset: 0 } })
            }
          >
            <option value="missing">Hosts with pending updates</option>
            <option value="all">All hosts</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <QueryView
        q={hosts}
        isEmpty={(d) => d.hosts.length === 0}
        empty={
          search.scope === "missing"
            ? "No host reports pending updates. Hosts report their packages when patching is enabled on the agent."
            : "No hosts match."
        }
      >
        {(d) => (
          <>
            <table className="data">
              <caption className="visually-hidden">Hosts to patch</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Select</span>
                  </th>
                  <th scope="col">Host</th>
                  <th scope="col">Pending updates</th>
                  <th scope="col">Health</th>
                  <th scope="col">Agent</th>
                  <th scope="col">
                    <span className="visually-hidden">Updates</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.hosts.flatMap((h) => {
                  const name = h.display_name || h.name;
                  const rows = [
                    <tr key={h.id} data-host={h.name}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${name}`}
                          checked={selected.has(h.id)}
                          disabled={!canWrite(user)}
                          onChange={(e) => toggle(h, e.target.checked)}
                        />
                      </td>
                      <td>
                        <Link to="/hosts/$hostId" params={{ hostId: h.id }}>
                          {name}
                        </Link>
                      </td>
                      <td>{h.patches_missing}</td>
                      <td>
                        <StatusBadge status={h.health_status} />
                      </td>
                      <td>{h.online ? "online" : "offline"}</td>
                      <td>
                        <button
                          type="button"
                          aria-expanded={open === h.id}
                          onClick={() => setOpen(open === h.id ? undefined : h.id)}
                        >
                          {open === h.id ? "Hide updates" : "Show updates"}
                          <span className="visually-hidden"> of {name}</span>
                        </button>
                      </td>
                    </tr>,
                  ];
                  if (open === h.id)
                    rows.push(
                      <tr key={`${h.id}-updates`}>
                        <td colSpan={6}>
                          <HostUpdates hostId={h.id} caption={`Pending updates of ${name}`} />
                        </td>
                      </tr>,
                    );
                  return rows;
                })}
              </tbody>
            </table>
            <Pager
              offset={search.offset}
              limit={LIMIT}
              total={d.total}
              onPage={(offset) => void navigate({ search: { ...search, offset } })}
            />
          </>
        )}
      </QueryView>
      {canWrite(user) ? (
        <PatchPlanForm hosts={[...selected.values()]} onClear={() => setSelected(new Map())} />
      ) : (
        <p className="hint">Your role can see pending updates; deploying patches needs the operator role.</p>
      )}
    </>
  );
}
