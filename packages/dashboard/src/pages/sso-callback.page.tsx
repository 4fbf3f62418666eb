import { Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { redeemHandoff, takeSsoNext } from "../auth/sso";
import { ssoCallbackRoute } from "../router";
import { Loading, messageOf } from "../ui/states";

/** The API's SSO refusal codes (docs/auth.md), in words; the description adds the detail. */
export function ssoErrorMessage(error: string, description?: string): string {
  const what: Record<string, string> = {
    account_disabled: "This account is disabled. Ask an administrator.",
    bad_request: "The sign-in attempt expired or was already used. Start again.",
    sso_error: "The identity provider refused the sign-in.",
    internal_error: "The identity provider could not be reached.",
  };
  const text = what[error] ?? "Single sign-on failed.";
  return description ? `${text} (${description})` : text;
}

/**
 * `sso_callback_url` (default `/app/auth/sso/callback`): exchanges `?handoff=` for a session, or
 * shows `?error=`. The code is removed from the address bar before anything else happens.
 */
export function SsoCallbackPage() {
  const search = ssoCallbackRoute.useSearch();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | undefined>(
    search.error ? ssoErrorMessage(search.error, search.error_description) : undefined,
  );
  // Read once: the code leaves the address bar (and history) before it is exchanged.
  const [code] = useState(search.error ? undefined : search.handoff);

  useEffect(() => {
    if (!code) return;
    window.history.replaceState(null, "", window.location.pathname);
    redeemHandoff(code).then(
      () => void navigate({ to: takeSsoNext(), replace: true }),
      (err: unknown) => setFailure(messageOf(err)),
    );
  }, [code, navigate]);

  return (
    <main className="sign-in" id="main">
      <div className="card">
        <h1>Single sign-on</h1>
        {failure ? (
          <>
            <div className="alert error" role="alert">
              {failure}
            </div>
            <Link to="/sign-in" search={{}}>
              Back to sign-in
            </Link>
          </>
        ) : code ? (
          <Loading label="Signing you in…" />
        ) : (
          <>
            <div className="alert error" role="alert">
              This page needs a sign-in code from the identity provider.
            </div>
            <Link to="/sign-in" search={{}}>
              Back to sign-in
            </Link>
          </>
        )}
      </div>
    </main>
  );
}
