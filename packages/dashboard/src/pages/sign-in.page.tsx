import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, FleetgateError, ok, RateLimitError } from "../api/client";
import { session } from "../auth/session";
import { startSso } from "../auth/sso";
import { signInRoute } from "../router";
import { messageOf } from "../ui/states";

type Step = "password" | "totp" | "change";

/** Turns a failed sign-in into the sentence the user needs (lockout and rate limits included). */
export function signInMessage(err: unknown): string {
  if (!(err instanceof FleetgateError)) return messageOf(err);
  switch (err.code) {
    case "invalid_credentials":
      return "Invalid username, password or code.";
    case "account_locked":
      return "This account is locked after too many failed attempts. Try again later or ask an administrator.";
    case "account_disabled":
      return "This account is disabled. Ask an administrator.";
    case "weak_password":
      return err.message;
    default:
      if (err instanceof RateLimitError) {
        return err.retryAfterSeconds !== undefined
          ? `Too many attempts. Wait ${err.retryAfterSeconds} seconds and try again.`
          : "Too many attempts. Wait a minute and try again.";
      }
      return err.message;
  }
}

export function SignInPage() {
  const search = signInRoute.useSearch();
  const navigate = useNavigate();
  const [step, setStep] = useState<Step>("password");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | undefined>(search.reason);
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // SSO is offered only when the server says it is enabled; a failure to ask just hides the button.
  const sso = useQuery({
    queryKey: ["sso-config"],
    queryFn: () => ok(api.GET("/auth/sso/config")),
    retry: false,
    staleTime: 60_000,
  });

  const signIn = async (pw: string, totp?: string) => {
    const r = await api.POST("/auth/login", {
      body: { username, password: pw, ...(totp ? { totp_code: totp } : {}) },
    });
    if (!r.response.ok) {
      const e = await ok(Promise.resolve(r)).catch((x: unknown) => x);
      if (e instanceof FleetgateError && e.code === "mfa_required") {
        setStep("totp");
        setError(undefined);
        return;
      }
      if (e instanceof FleetgateError && e.code === "password_reset_required") {
        setStep("change");
        setError(undefined);
        setNotice("Your password must be changed before you sign in.");
        return;
      }
      setError(signInMessage(e));
      return;
    }
    session.signedIn(r.data);
    await navigate({ to: search.redirect ?? "/" });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setNotice(undefined);
    try {
      if (step === "password") await signIn(password);
      else if (step === "totp") await signIn(password, code.trim());
      else {
        if (next !== confirm) {
          setError("The new passwords do not match.");
          return;
        }
        await ok(
          api.POST("/auth/force-change-password", {
            body: { username, current_password: password, new_password: next },
          }),
        );
        setPassword(next);
        setStep("password");
        setNotice("Password changed. Signing in…");
        await signIn(next);
      }
    } catch (err) {
      setError(signInMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <div className="card">
        <h1>Sign in to Fleetgate</h1>
        <form className="form" onSubmit={(e) => void submit(e)} aria-describedby={error ? "sign-in-error" : undefined}>
          {error && (
            <div className="alert error" role="alert" id="sign-in-error">
              {error}
            </div>
          )}
          {notice && (
            <div className="alert info" role="status">
              {notice}
            </div>
          )}
          {step === "password" && (
            <>
              <label>
                Username
                <input
                  name="username"
                  autoComplete="username"
                  required
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                />
              </label>
              <label>
                Password
                <input
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </label>
            </>
          )}
          {step === "totp" && (
            <label>
              Authentication code
              <span className="hint">The 6-digit code from your authenticator app, or a recovery code.</span>
              <input
                name="totp"
                autoComplete="one-time-code"
                inputMode="text"
                required
                ref={(el) => el?.focus()}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </label>
          )}
          {step === "change" && (
            <>
              <label>
                New password
                <span className="hint">At least 12 characters with upper and lower case, a digit and a symbol.</span>
                <input
                  name="new-password"
                  type="password"
                  autoComplete="new-password"
                  required
                  ref={(el) => el?.focus()}
                  value={next}
                  onChange={(e) => setNext(e.target.value)}
                />
              </label>
              <label>
                Repeat new password
                <input
                  name="confirm-password"
                  type="password"
                  autoComplete="new-password"
                  required
                  value={confirm}
                  onChange={(e) => setConfirm(e.target.value)}
                />
              </label>
            </>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {step === "change" ? "Change password and sign in" : step === "totp" ? "Verify" : "Sign in"}
          </button>
          {step === "password" && sso.data?.enabled && sso.data.auth_url && (
            <>
              <div className="divider" aria-hidden="true">
                or
              </div>
              <button type="button" onClick={() => startSso(sso.data.auth_url, search.redirect)}>
                Sign in with {sso.data.display_name || "SSO"}
              </button>
            </>
          )}
          {step !== "password" && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setStep("password");
                setCode("");
                setError(undefined);
              }}
            >
              Start over
            </button>
          )}
        </form>
      </div>
    </main>
  );
}
