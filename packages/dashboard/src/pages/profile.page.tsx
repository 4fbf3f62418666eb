import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import encodeQR from "qr";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { ErrorState, fmtTime, QueryView } from "../ui/states";

/** Own account: details, password change, TOTP enrolment (QR + recovery codes) and removal. */
export function ProfilePage() {
  const qc = useQueryClient();
  const me = useQuery({ queryKey: ["me"], queryFn: () => ok(api.GET("/users/me")) });
  const [pw, setPw] = useState({ current_password: "", new_password: "" });
  const [code, setCode] = useState("");
  const [enrolPw, setEnrolPw] = useState("");
  const [disablePw, setDisablePw] = useState("");
  const [codes, setCodes] = useState<string[]>();
  const change = useMutation({
    mutationFn: () => ok(api.PUT("/users/me/password", { body: pw })),
    onSuccess: () => setPw({ current_password: "", new_password: "" }),
  });
  const setup = useMutation({ mutationFn: () => ok(api.GET("/auth/mfa/setup")) });
  const verify = useMutation({
    mutationFn: (secret: string) =>
      ok(api.POST("/auth/mfa/verify", { body: { secret_base32: secret, code: code.trim(), password: enrolPw } })),
    onSuccess: (r) => {
      setCodes(r.recovery_codes);
      setup.reset();
      setCode("");
      setEnrolPw("");
      void qc.invalidateQueries({ queryKey: ["me"] });
    },
  });
  const disable = useMutation({
    mutationFn: () => done(api.DELETE("/auth/mfa", { body: { password: disablePw } })),
    onSuccess: () => {
      setDisablePw("");
      void qc.invalidateQueries({ queryKey: ["me"] });
    },
  });
  return (
    <>
      <div className="page-head">
        <h1>Profile</h1>
      </div>
      <QueryView q={me}>
        {(u) => (
          <div className="grid-2">
            <section className="card" aria-labelledby="account">
              <h2 id="account">Account</h2>
              <dl className="facts">
                <dt>Username</dt>
                <dd>{u.username}</dd>
                <dt>Name</dt>
                <dd>{u.display_name}</dd>
                <dt>Email</dt>
                <dd>{u.email ?? "—"}</dd>
                <dt>Role</dt>
                <dd>{u.role}</dd>
                <dt>Last sign-in</dt>
                <dd>{fmtTime(u.last_login_at)}</dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="password">
              <h2 id="password">Change password</h2>
              <form
                className="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  change.mutate();
                }}
              >
                <label>
                  Current password
                  <input
                    type="password"
                    autoComplete="current-password"
                    required
                    value={pw.current_password}
                    onChange={(e) => setPw({ ...pw, current_password: e.target.value })}
                  />
                </label>
                <label>
                  New password
                  <input
                    type="password"
                    autoComplete="new-password"
                    required
                    value={pw.new_password}
                    onChange={(e) => setPw({ ...pw, new_password: e.target.value })}
                  />
                </label>
                {change.isError && <ErrorState error={change.error} />}
                {change.isSuccess && (
                  <div className="alert ok" role="status">
                    Password changed.
                  </div>
                )}
                <button type="submit" className="primary" disabled={change.isPending}>
                  Change password
                </button>
              </form>
            </section>
            <section className="card" aria-labelledby="mfa">
              <h2 id="mfa">Two-factor authentication</h2>
              {codes && (
                <div className="alert ok" role="status">
                  <p>MFA is on. Save these recovery codes now; each works once and they are not shown again.</p>
                  <ul className="secret" data-testid="recovery-codes">
                    {codes.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </div>
              )}
              {u.mfa_enabled ? (
                <form
                  className="form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    disable.mutate();
                  }}
                >
                  <p>MFA is enabled.</p>
                  <label>
                    Password (to turn MFA off)
                    <input
                      type="password"
                      autoComplete="current-password"
                      required
                      value={disablePw}
                      onChange={(e) => setDisablePw(e.target.value)}
                    />
                  </label>
                  {disable.isError && <ErrorState error={disable.error} />}
                  <button type="submit" className="danger" disabled={disable.isPending}>
                    Turn off MFA
                  </button>
                </form>
              ) : setup.data ? (
                <form
                  className="form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (setup.data) verify.mutate(setup.data.secret_base32);
                  }}
                >
                  <p>Scan this code with an authenticator app, then enter the code it shows.</p>
                  <img
                    src={encodeQR(setup.data.otp_uri, "data-url", { scale: 4 })}
                    alt="QR code of the TOTP secret"
                    width={200}
                    height={200}
                  />
                  <p>
                    Or enter the secret: <code data-testid="totp-secret">{setup.data.secret_base32}</code>
                  </p>
                  <label>
                    Code
                    <input
                      name="totp"
                      inputMode="numeric"
                      autoComplete="one-time-code"
                      required
                      value={code}
                      onChange={(e) => setCode(e.target.value)}
                    />
                  </label>
                  <label>
                    Password (to turn MFA on)
                    <input
                      name="mfa-password"
                      type="password"
                      autoComplete="current-password"
                      required
                      value={enrolPw}
                      onChange={(e) => setEnrolPw(e.target.value)}
                    />
                  </label>
                  {verify.isError && <ErrorState error={verify.error} />}
                  <button type="submit" className="primary" disabled={verify.isPending}>
                    Verify and turn on
                  </button>
                </form>
              ) : (
                <>
                  <p>MFA is off.</p>
                  {setup.isError && <ErrorState error={setup.error} />}
                  <button type="button" className="primary" onClick={() => setup.mutate()} disabled={setup.isPending}>
                    Set up MFA
                  </button>
                </>
              )}
            </section>
          </div>
        )}
      </QueryView>
    </>
  );
}
