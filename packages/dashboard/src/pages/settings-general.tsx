import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok } from "../api/client";
import { Confirm } from "../ui/confirm";
import { ErrorState, QueryView } from "../ui/states";
import { MASKED, SectionForm, splitList, useSave } from "./settings-form";
import { ComplianceForm, OsvForm } from "./settings-vulnerability";

type Settings = Schemas["Settings"];

function TestOutcome({ r }: { r: { success: boolean; message: string } | undefined }) {
  if (!r) return null;
  return (
    <div className={r.success ? "alert ok" : "alert error"} role={r.success ? "status" : "alert"}>
      {r.success ? "Test succeeded: " : "Test failed: "}
      {r.message}
    </div>
  );
}

function SsoForm({ s }: { s: Settings }) {
  const [o, setO] = useState(s.oidc);
  const [callback, setCallback] = useState(s.sso_callback_url);
  const [policy, setPolicy] = useState(s.sso_policy);
  const save = useSave(() => ({ oidc: o, sso_callback_url: callback, sso_policy: policy }));
  const discover = useMutation({
    mutationFn: () => ok(api.POST("/settings/sso/discover", { body: { discovery_url: o.discovery_url } })),
  });
  const test = useMutation({ mutationFn: () => ok(api.POST("/settings/sso/test")) });
  const set = <K extends keyof Settings["oidc"]>(k: K, v: Settings["oidc"][K]) => setO({ ...o, [k]: v });
  return (
    <SectionForm
      id="sso"
      title="Single sign-on (OIDC)"
      hint="Test checks the saved settings: save first."
      save={save}
      extra={
        <>
          <button type="button" onClick={() => discover.mutate()} disabled={discover.isPending || !o.discovery_url}>
            Discover
          </button>
          <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
            Test SSO
          </button>
        </>
      }
    >
      <label className="inline">
        <input type="checkbox" checked={o.enabled} onChange={(e) => set("enabled", e.target.checked)} />
        Enabled (shows "Sign in with {o.display_name || "SSO"}" on the sign-in page)
      </label>
      <label>
        Provider
        <select
          value={o.provider_type}
          onChange={(e) => set("provider_type", e.target.value as Settings["oidc"]["provider_type"])}
        >
          <option value="custom">OIDC (custom)</option>
          <option value="keycloak">Keycloak</option>
          <option value="azure">Azure / Entra ID</option>
        </select>
      </label>
      <label>
        Button label
        <input value={o.display_name} onChange={(e) => set("display_name", e.target.value)} maxLength={100} />
      </label>
      <label>
        Discovery URL
        <span className="hint">https URL of /.well-known/openid-configuration (or the issuer)</span>
        <input type="url" value={o.discovery_url} onChange={(e) => set("discovery_url", e.target.value)} />
      </label>
      {discover.isError && <ErrorState error={discover.error} />}
      {discover.data && (
        <div className={discover.data.success ? "alert ok" : "alert error"} role="status">
          {discover.data.success ? (
            <dl className="facts">
              <dt>Issuer</dt>
              <dd>{discover.data.issuer}</dd>
              <dt>Authorization</dt>
              <dd>{discover.data.authorization_endpoint}</dd>
              <dt>Token</dt>
              <dd>{discover.data.token_endpoint}</dd>
              <dt>JWKS</dt>
              <dd>{discover.data.jwks_uri}</dd>
            </dl>
          ) : (
            (discover.data.message ?? "Discovery failed")
          )}
        </div>
      )}
      <label>
        Client ID
        <input value={o.client_id} onChange={(e) => set("client_id", e.target.value)} autoComplete="off" />
      </label>
      <SecretInput
        label="Client secret"
        value={o.client_secret}
        stored={s.oidc.client_secret === MASKED}
        onChange={(v) => set("client_secret", v)}
      />
      <label>
        Redirect URI
        <span className="hint">Empty: this deployment's /api/v1/auth/sso/callback</span>
        <input value={o.redirect_uri} onChange={(e) => set("redirect_uri", e.target.value)} />
      </label>
      <label>
        Scopes
        <input value={o.scopes} onChange={(e) => set("scopes", e.target.value)} />
      </label>
      <label>
        After sign-in, send users to
        <span className="hint">Default /app/auth/sso/callback: this dashboard's callback page</span>
        <input value={callback} onChange={(e) => setCallback(e.target.value)} />
      </label>
      <fieldset>
        <legend>Policy</legend>
        <label className="inline">
          <input
            type="checkbox"
            checked={policy.sso_only}
            onChange={(e) => setPolicy({ ...policy, sso_only: e.target.checked })}
          />
          SSO only for non-admins (admins keep their password login)
        </label>
        <label>
          MFA required for password logins
          <select
            value={policy.mfa_required}
            onChange={(e) =>
              setPolicy({ ...policy, mfa_required: e.target.value as Settings["sso_policy"]["mfa_required"] })
            }
          >
            <option value="off">off</option>
            <option value="admins">admins</option>
            <option value="everyone">everyone</option>
          </select>
        </label>
        <label>
          Role of users created by their first SSO login
          <select
            value={policy.created_role}
            onChange={(e) =>
              setPolicy({ ...policy, created_role: e.target.value as Settings["sso_policy"]["created_role"] })
            }
          >
            <option value="reporter">reporter</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Groups claim
          <span className="hint">ID-token claim listing group names; empty: no group sync</span>
          <input value={policy.groups_claim} onChange={(e) => setPolicy({ ...policy, groups_claim: e.target.value })} />
        </label>
      </fieldset>
      {test.isError && <ErrorState error={test.error} />}
      <TestOutcome r={test.data} />
    </SectionForm>
  );
}

/**
 * A write-only secret: shows "********" when one is stored, and sends "********" back unless
 * the user types a new one (the server then keeps the stored secret).
 */
function SecretInput({
  label,
  value,
  stored,
  onChange,
}: {
  label: string;
  value: string;
  stored: boolean;
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {label}
      <span className="hint">{stored ? "Stored (shown masked); type a new one to replace it." : "Not set."}</span>
      <input
        type="password"
        autoComplete="new-password"
        value={value}
        onFocus={(e) => e.target.select()}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

function SmtpForm({ s }: { s: Settings }) {
  const [m, setM] = useState(s.smtp);
  const [to, setTo] = useState(s.notification.recipients[0] ?? "");
  const save = useSave(() => ({ smtp: m }));
  const test = useMutation({
    mutationFn: () => ok(api.POST("/settings/smtp/test", { body: to ? { to } : {} })),
  });
  const set = <K extends keyof Settings["smtp"]>(k: K, v: Settings["smtp"][K]) => setM({ ...m, [k]: v });
  return (
    <SectionForm
      id="smtp"
      title="Email (SMTP)"
      hint="Send test uses the saved settings: save first."
      save={save}
      extra={
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {test.isPending ? "Sending…" : "Send test email"}
        </button>
      }
    >
      <label className="inline">
        <input type="checkbox" checked={m.enabled} onChange={(e) => set("enabled", e.target.checked)} />
        Enabled
      </label>
      <label>
        Host
        <input value={m.host} onChange={(e) => set("host", e.target.value)} />
      </label>
      <label>
        Port
        <input type="number" min={1} max={65535} value={m.port} onChange={(e) => set("port", Number(e.target.value))} />
      </label>
      <label>
        Security
        <select value={m.tls_mode} onChange={(e) => set("tls_mode", e.target.value as Settings["smtp"]["tls_mode"])}>
          <option value="starttls">STARTTLS</option>
          <option value="implicit">TLS (implicit)</option>
          <option value="none">none</option>
        </select>
      </label>
      <label>
        Username
        <input value={m.username} onChange={(e) => set("username", e.target.value)} autoComplete="off" />
      </label>
      <SecretInput
        label="Password"
        value={m.password}
        stored={s.smtp.password === MASKED}
        onChange={(v) => set("password", v)}
      />
      <label>
        From
        <input value={m.from} onChange={(e) => set("from", e.target.value)} />
      </label>
      <label>
        Test recipient
        <span className="hint">Empty: the first notification recipient</span>
        <input type="email" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      {test.isError && <ErrorState error={test.error} />}
      <TestOutcome r={test.data} />
    </SectionForm>
  );
}

function PollingForm({ s }: { s: Settings }) {
  const [p, setP] = useState(s.polling);
  const save = useSave(() => ({ polling: p }));
  return (
    <SectionForm id="polling" title="Polling" save={save}>
      <label>
        Health poll interval (seconds, 30–86400)
        <input
          type="number"
          value={p.health_poll_interval_secs}
          onChange={(e) => setP({ ...p, health_poll_interval_secs: Number(e.target.value) })}
        />
      </label>
      <label>
        Patch poll interval (seconds, 60–604800)
        <input
          type="number"
          value={p.patch_poll_interval_secs}
          onChange={(e) => setP({ ...p, patch_poll_interval_secs: Number(e.target.value) })}
        />
      </label>
    </SectionForm>
  );
}

function NotificationForm({ s }: { s: Settings }) {
  const [n, setN] = useState(s.notification);
  const [recipients, setRecipients] = useState(s.notification.recipients.join("\n"));
  const save = useSave(() => ({ notification: { ...n, recipients: splitList(recipients) } }));
  return (
    <SectionForm id="notification" title="Notifications" save={save}>
      <label className="inline">
        <input
          type="checkbox"
          checked={n.email_enabled}
          onChange={(e) => setN({ ...n, email_enabled: e.target.checked })}
        />
        Email notifications (job failed, rollback, enrollment waiting, certificates expiring)
      </label>
      <label>
        From address
        <input value={n.email_from} onChange={(e) => setN({ ...n, email_from: e.target.value })} />
      </label>
      <label>
        Recipients (one per line)
        <textarea rows={3} value={recipients} onChange={(e) => setRecipients(e.target.value)} />
      </label>
    </SectionForm>
  );
}

function AllowlistForm({ s }: { s: Settings }) {
  const qc = useQueryClient();
  const [text, setText] = useState(s.ip_whitelist.join("\n"));
  const [confirming, setConfirming] = useState(false);
  const entries = splitList(text);
  const save = useMutation({
    mutationFn: () => ok(api.PUT("/settings/ip-whitelist", { body: { entries } })),
    onSuccess: () => {
      setConfirming(false);
      void qc.invalidateQueries({ queryKey: ["settings", "general"] });
    },
    onError: () => setConfirming(false),
  });
  return (
    <>
      <SectionForm
        id="allowlist"
        title="IP allowlist"
        hint="Every protected route of every face answers only these networks; empty = everyone."
        save={{ ...save, mutate: () => (entries.length > 0 ? setConfirming(true) : save.mutate()) }}
      >
        <div className="alert info" role="note">
          Include the network you are on now. The server refuses a list without your own address, but a proxy or a
          changing address can still lock you out; the recovery path is in docs/auth.md.
        </div>
        <label>
          Networks (CIDR or address, one per line)
          <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </SectionForm>
      <Confirm
        open={confirming}
        onOpenChange={setConfirming}
        title="Restrict access to these networks?"
        description={`Requests from outside these ${entries.length} network(s) will be refused, including yours if it is not listed.`}
        action="Save allowlist"
        busy={save.isPending}
        onConfirm={() => save.mutate()}
      />
    </>
  );
}

/** SSO, SMTP, polling, notifications, the IP allowlist, compliance and OSV (GET/PUT /settings; admins only). */
export function GeneralSettings() {
  const q = useQuery({ queryKey: ["settings", "general"], queryFn: () => ok(api.GET("/settings")) });
  return (
    <QueryView q={q}>
      {(s) => (
        <div className="grid-2">
          <SsoForm s={s} />
          <div>
            <SmtpForm s={s} />
            <NotificationForm s={s} />
            <PollingForm s={s} />
            <AllowlistForm s={s} />
            <ComplianceForm s={s} />
            <OsvForm s={s} />
          </div>
        </div>
      )}
    </QueryView>
  );
}
