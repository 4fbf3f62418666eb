import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, FleetgateError, ok } from "../api/client";
import { useUser } from "../auth/use-session";
import { normalizeUserCode } from "../lib/device-code";
import { deviceRoute } from "../router";
import { fmtTime, messageOf } from "../ui/states";

/** What a refused user code means for the person at the terminal. */
function deviceMessage(err: unknown): string {
  if (err instanceof FleetgateError && err.code === "invalid_user_code") {
    return "This code is unknown, already used or expired. Run the sign-in command again for a new code.";
  }
  return messageOf(err);
}

/**
 * Approves (or denies) a command-line sign-in (`fleetgate login --sso`, device authorization):
 * the CLI prints a user code and this page's URL; the signed-in user checks that the code shown
 * here is the one in their terminal and approves. The CLI then receives a session of this user.
 */
export function DevicePage() {
  const search = deviceRoute.useSearch();
  const navigate = useNavigate({ from: deviceRoute.fullPath });
  const user = useUser();
  const code = search.user_code === undefined ? undefined : normalizeUserCode(search.user_code);
  const [typed, setTyped] = useState("");
  const [typedError, setTypedError] = useState<string | undefined>();
  // Who asked for this code: shown so the user can tell their own terminal from someone else's request.
  const request = useQuery({
    queryKey: ["device-lookup", code],
    enabled: code !== undefined,
    retry: false,
    queryFn: () => ok(api.POST("/auth/device/lookup", { body: { user_code: code ?? "" } })),
  });
  const decide = useMutation({
    mutationFn: (approve: boolean) =>
      ok(api.POST("/auth/device/approve", { body: { user_code: code ?? "", approve } })),
  });

  return (
    <>
      <div className="page-head">
        <h1>Sign in a command-line client</h1>
      </div>
      <section className="card device" aria-labelledby="device-step">
        {decide.isSuccess ? (
          <div className={`alert ${decide.data.status === "approved" ? "ok" : "info"}`} role="status">
            {decide.data.status === "approved"
              ? `Approved: the command-line client is now signed in as ${user.username}. You can close this page and return to your terminal.`
              : "Denied: the command-line client was not signed in."}
          </div>
        ) : code === undefined ? (
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              const c = normalizeUserCode(typed);
              if (c === undefined) {
                setTypedError("A code is 8 letters, for example BCDF-GHJK.");
                return;
              }
              setTypedError(undefined);
              void navigate({ search: { user_code: c } });
            }}
          >
            <h2 id="device-step">Enter the code shown in your terminal</h2>
            {search.user_code !== undefined && (
              <div className="alert error" role="alert">
                The link holds no valid code. Type the code your terminal shows.
              </div>
            )}
            <label>
              Code
              <span className="hint" id="device-code-hint">
                8 letters, for example BCDF-GHJK (case and dashes do not matter).
              </span>
              <input
                name="user_code"
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                required
                aria-describedby={typedError ? "device-code-hint device-code-error" : "device-code-hint"}
                aria-invalid={typedError !== undefined}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
            </label>
            {typedError && (
              <div className="field-error" id="device-code-error">
                {typedError}
              </div>
            )}
            <button type="submit" className="primary">
              Continue
            </button>
          </form>
        ) : (
          <div className="form">
            <h2 id="device-step">Is this the code in your terminal?</h2>
            <p className="device-code mono" data-user-code={code}>
              {code}
            </p>
            {request.isError && !decide.isError && (
              <div className="alert error" role="alert">
                {deviceMessage(request.error)}
              </div>
            )}
            {request.data && (
              <dl className="facts" aria-label="Sign-in request">
                <dt>Client</dt>
                <dd>{request.data.client_name}</dd>
                <dt>Requested from</dt>
                <dd className="mono">{request.data.ip_address ?? "unknown address"}</dd>
                <dt>Requested at</dt>
                <dd>{request.data.requested_at ? fmtTime(request.data.requested_at) : "unknown"}</dd>
                <dt>Expires at</dt>
                <dd>{fmtTime(request.data.expires_at)}</dd>
              </dl>
            )}
            <p>
              Approving signs the command-line client in as <strong>{user.username}</strong> ({user.role}), with
              everything your account may do. Only approve a sign-in you started yourself, and only when the code above
              matches the one your terminal shows and you recognise the client and address above.
            </p>
            {decide.isError && (
              <div className="alert error" role="alert">
                {deviceMessage(decide.error)}
              </div>
            )}
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={decide.isPending || !request.isSuccess}
                onClick={() => decide.mutate(true)}
              >
                Approve sign-in
              </button>
              <button type="button" className="danger" disabled={decide.isPending} onClick={() => decide.mutate(false)}>
                Deny
              </button>
              <Link to="/device" search={{}}>
                Enter a different code
              </Link>
            </div>
          </div>
        )}
      </section>
    </>
  );
}
