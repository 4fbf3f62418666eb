import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, endpointExists, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { ErrorState, Loading, QueryView } from "../ui/states";
import { GeneralSettings } from "./settings-general";
import { Availability } from "./unavailable.page";

const ACTIONS = ["discovery", "status", "ping"] as const;
type Action = (typeof ACTIONS)[number];

/** Server settings: administrators only (the API refuses everyone else, so nobody else is shown them). */
export function SettingsPage() {
  const user = useUser();
  if (!isAdmin(user))
    return (
      <>
        <div className="page-head">
          <h1>Settings</h1>
        </div>
        <div className="alert info" role="status">
          Server settings are managed by administrators. You are signed in as {user.role}; ask an administrator to
          change SSO, email, polling or the IP allowlist.
        </div>
      </>
    );
  return <AdminSettings />;
}

/** SSO, SMTP, polling, notifications, IP allowlist; ctrl-exec anonymous access; signing-key rotation. */
function AdminSettings() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["settings", "ctrl-exec"], queryFn: () => ok(api.GET("/settings/ctrl-exec")) });
  const general = useQuery({
    queryKey: ["probe", "settings"],
    queryFn: () => endpointExists(/^\/settings$/),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [actions, setActions] = useState<Action[]>([]);
  const [cidrs, setCidrs] = useState("");
  useEffect(() => {
    if (q.data) {
      setActions(q.data.anonymous_actions);
      setCidrs(q.data.anonymous_cidrs.join("\n"));
    }
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT("/settings/ctrl-exec", {
          body: {
            anonymous_actions: actions,
            anonymous_cidrs: cidrs
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
          },
        }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["settings", "ctrl-exec"] }),
  });
  const rotate = useMutation({ mutationFn: () => ok(api.POST("/settings/signing-keys/rotate")) });
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      {general.data === true ? (
        <GeneralSettings />
      ) : general.isPending ? (
        <Loading />
      ) : (
        <section className="card" aria-labelledby="general">
          <h2 id="general">SSO, SMTP and IP allowlist</h2>
          <Availability q={general} paths="/api/v1/settings" what="general settings (SSO, SMTP, IP allowlist)" />
        </section>
      )}
      <section className="card" aria-labelledby="ctrl-exec">
        <h2 id="ctrl-exec">ctrl-exec anonymous access</h2>
        <QueryView q={q}>
          {() => (
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
            >
              <fieldset>
                <legend>Actions allowed without a token</legend>
                {ACTIONS.map((a) => (
                  <label key={a} className="inline">
                    <input
                      type="checkbox"
                      checked={actions.includes(a)}
                      onChange={(e) => setActions(e.target.checked ? [...actions, a] : actions.filter((x) => x !== a))}
                    />
                    {a}
                  </label>
                ))}
              </fieldset>
              <label>
                From these networks (CIDR, one per line; empty = nobody)
                <textarea rows={3} value={cidrs} onChange={(e) => setCidrs(e.target.value)} />
              </label>
              {save.isError && <ErrorState error={save.error} />}
              {save.isSuccess && (
                <div className="alert ok" role="status">
                  Saved.
                </div>
              )}
              <button type="submit" className="primary" disabled={save.isPending}>
                Save
              </button>
            </form>
          )}
        </QueryView>
      </section>
      <section className="card" aria-labelledby="keys">
        <h2 id="keys">Token signing key</h2>
        <p className="hint">
          Rotating publishes a new key in the JWKS; tokens signed with the old key stay valid until they expire.
        </p>
        {rotate.data && (
          <div className="alert ok" role="status">
            {rotate.data.message} (kid {rotate.data.kid})
          </div>
        )}
        {rotate.isError && <ErrorState error={rotate.error} />}
        <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
          Rotate signing key
        </button>
      </section>
    </>
  );
}
