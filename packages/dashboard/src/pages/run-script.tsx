import { useMutation, useQueries } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok } from "../api/client";
import { Dialog } from "../ui/dialog";
import { ErrorState } from "../ui/states";

export type Target = { id: string; name: string; online: boolean };
/** "All N matching": the job is sent with the filter itself, resolved by the server. */
export type TargetFilter = { group_id: string; count: number; label: string };

/** Above this many targets the user confirms by typing the host count. */
export const CONFIRM_THRESHOLD = 10;
/** Scripts are looked up per host for a preview only up to this many targets. */
const PREVIEW_LIMIT = 20;

/** Scripts every target allowlists (the only ones that can run on all of them). */
export function sharedScripts(lists: string[][]): string[] {
  const [first, ...rest] = lists;
  if (!first) return [];
  return first.filter((s) => rest.every((l) => l.includes(s))).sort();
}

/** The run-script drawer: targets preview, script, args, concurrency, error threshold, timeout. */
export function RunScriptDrawer({
  open,
  onOpenChange,
  hosts,
  filter,
  script: initialScript,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  hosts: Target[];
  filter?: TargetFilter;
  script?: string;
}) {
  const navigate = useNavigate();
  const [script, setScript] = useState(initialScript ?? "");
  const [args, setArgs] = useState("");
  const [parallel, setParallel] = useState(64);
  const [threshold, setThreshold] = useState("");
  const [timeout, setTimeoutS] = useState(60);
  const [notes, setNotes] = useState("");
  const [typed, setTyped] = useState("");
  const [echo, setEcho] = useState<{ jobId: string; matched: number }>();
  const count = filter ? filter.count : hosts.length;
  const preview = filter ? [] : hosts.slice(0, PREVIEW_LIMIT);
  const scripts = useQueries({
    queries: preview.map((h) => ({
      queryKey: ["host-scripts", h.id],
      queryFn: () => ok(api.GET("/hosts/{id}/scripts", { params: { path: { id: h.id } } })),
      enabled: open,
    })),
  });
  const loaded = scripts.every((s) => s.data);
  const shared = loaded ? sharedScripts(scripts.map((s) => (s.data ?? []).map((x) => x.name))) : [];
  const offline = hosts.filter((h) => !h.online).length;
  const lacking = loaded && script ? scripts.filter((s) => !(s.data ?? []).some((x) => x.name === script)).length : 0;
  const needTyped = count > CONFIRM_THRESHOLD;

  const run = useMutation({
    mutationFn: () => {
      const t = threshold.trim();
      return ok(
        api.POST("/jobs", {
          body: {
            kind: "script",
            script,
            args: args.split("\n").filter((a) => a !== ""),
            ...(filter ? { host_filter: { group_id: filter.group_id } } : { host_ids: hosts.map((h) => h.id) }),
            max_parallel: parallel,
            error_threshold: t === "" ? null : /%$/.test(t) ? t : Number(t),
            timeout_seconds: timeout,
            queue_ttl_seconds: 3600,
            notes,
          },
        }),
      );
    },
    onSuccess: async (job) => {
      // The server resolves the targets: echo its count, and stop if it is not what was confirmed.
      const detail = await ok(api.GET("/jobs/{id}", { params: { path: { id: job.id } } })).catch(() => undefined);
      const matched = detail?.job.host_count;
      if (matched !== undefined && matched !== count) {
        setEcho({ jobId: job.id, matched });
        return;
      }
      onOpenChange(false);
      void navigate({ to: "/jobs/$jobId", params: { jobId: job.id } });
    },
  });

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      drawer
      title="Run a script"
      description={
        filter
          ? `All ${count} host(s) matching ${filter.label}, resolved by the server when the job starts. Offline hosts run it when they reconnect (within an hour).`
          : `${hosts.length} host(s), ${offline} offline${lacking ? `, ${lacking} lack this script` : ""}. Offline hosts run it when they reconnect (within an hour).`
      }
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        {echo && (
          <div className="alert error" role="alert">
            The server matched {echo.matched} host(s), not the {count} you confirmed (the fleet changed meanwhile).{" "}
            <Link to="/jobs/$jobId" params={{ jobId: echo.jobId }}>
              Open the job
            </Link>{" "}
            to follow or cancel it.
          </div>
        )}
        {!filter && (
          <details>
            <summary>Targets</summary>
            <ul>
              {hosts.map((h) => (
                <li key={h.id}>
                  {h.name} {h.online ? "" : "(offline)"}
                </li>
              ))}
            </ul>
          </details>
        )}
        <label>
          Script
          <span className="hint">Only scripts the hosts' own agent config allowlists can run.</span>
          <input
            list="shared-scripts"
            required
            value={script}
            onChange={(e) => setScript(e.target.value)}
            pattern="[A-Za-z0-9._\-]+"
          />
          <datalist id="shared-scripts">
            {shared.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        {loaded && hosts.length <= PREVIEW_LIMIT && (
          <p className="hint">Allowlisted on every target: {shared.length ? shared.join(", ") : "none in common"}</p>
        )}
        <label>
          Arguments <span className="hint">one per line, passed literally (no shell)</span>
          <textarea rows={3} value={args} onChange={(e) => setArgs(e.target.value)} />
        </label>
        <label>
          Concurrency (hosts at a time)
          <input
            type="number"
            min={1}
            max={10000}
            value={parallel}
            onChange={(e) => setParallel(Number(e.target.value))}
          />
        </label>
        <label>
          Error threshold <span className="hint">stop after N failures, or a percentage like 10%; empty = never</span>
          <input value={threshold} onChange={(e) => setThreshold(e.target.value)} pattern="\d+%?" />
        </label>
        <label>
          Timeout (seconds)
          <input
            type="number"
            min={1}
            max={86400}
            value={timeout}
            onChange={(e) => setTimeoutS(Number(e.target.value))}
          />
        </label>
        <label>
          Notes
          <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={10000} />
        </label>
        {needTyped && (
          <label>
            Type <code>{count}</code> to run on {count} hosts
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
        )}
        {run.isError && <ErrorState error={run.error} />}
        <div className="actions">
          <button type="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button
            type="submit"
            className="primary"
            disabled={
              run.isPending || count === 0 || echo !== undefined || (needTyped && typed.trim() !== String(count))
            }
          >
            Run on {count} host(s)
          </button>
        </div>
      </form>
    </Dialog>
  );
}
