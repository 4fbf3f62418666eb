import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, ok } from "../api/client";
import { Dialog } from "../ui/dialog";
import { FieldError, FormError, fieldErrors } from "../ui/field-errors";
import { useHostChoices } from "./maintenance-window-dialog";

type Check = Schemas["HealthCheck"];
type Kind = Check["check_type"];

/**
 * Create or edit a health check (a service on the host, or an HTTP URL the host fetches).
 * The basic-auth password is write-only: left empty on edit, the stored one is kept.
 */
export function HealthCheckDialog({
  open,
  onOpenChange,
  check,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  check?: Check;
}) {
  const qc = useQueryClient();
  const [hostId, setHostId] = useState(check?.host_id ?? "");
  const [name, setName] = useState(check?.name ?? "");
  const [kind, setKind] = useState<Kind>(check?.check_type ?? "service");
  const [service, setService] = useState(check?.service_name ?? "");
  const [url, setUrl] = useState(check?.url ?? "");
  const [expected, setExpected] = useState(check?.expected_body ?? "");
  const [insecure, setInsecure] = useState(check?.ignore_cert_errors ?? false);
  const [user, setUser] = useState(check?.basic_auth_user ?? "");
  const [pass, setPass] = useState("");
  const [enabled, setEnabled] = useState(check?.enabled ?? true);
  const [local, setLocal] = useState<Record<string, string>>({});
  const hosts = useHostChoices(open && !check);

  const save = useMutation({
    mutationFn: async () => {
      if (!check && !hostId) {
        setLocal({ host_id: "Choose a host" });
        return undefined;
      }
      setLocal({});
      const target =
        kind === "service"
          ? { service_name: service }
          : {
              url,
              expected_body: expected || null,
              ignore_cert_errors: insecure,
              basic_auth_user: user || null,
              ...(pass ? { basic_auth_pass: pass } : {}),
            };
      if (check) {
        return ok(
          api.PUT("/health-checks/{check_id}", {
            params: { path: { check_id: check.id } },
            body: { name, enabled, ...target },
          }),
        );
      }
      return ok(api.POST("/health-checks", { body: { host_id: hostId, name, check_type: kind, ...target } }));
    },
    onSuccess: (saved) => {
      if (!saved) return;
      void qc.invalidateQueries({ queryKey: ["health-checks"] });
      onOpenChange(false);
    },
  });
  const errs = { ...fieldErrors(save.error), ...local };
  const shown = ["host_id", "name", "service_name", "url", "expected_body", "basic_auth_user", "basic_auth_pass"];
  const described = (f: string) => (errs[f] ? `hc-${f}-error` : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const field = (f: string) => ({ "aria-invalid": Boolean(errs[f]), "aria-describedby": described(f) });

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={check ? `Edit check ${check.name}` : "New health check"}
      description="The host's agent runs the check; failing checks can stop a patch rollout."
    >
      <form className="form" onSubmit={submit} noValidate>
        {!check && (
          <label>
            Host
            <select value={hostId} onChange={(e) => setHostId(e.target.value)} {...field("host_id")}>
              <option value="">Choose a host…</option>
              {hosts.data?.hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.display_name || h.fqdn}
                </option>
              ))}
            </select>
            <FieldError id="hc-host_id-error" errors={errs} field="host_id" />
          </label>
        )}
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} {...field("name")} />
          <FieldError id="hc-name-error" errors={errs} field="name" />
        </label>
        {!check && (
          <fieldset>
            <legend>Checks</legend>
            <label className="inline">
              <input type="radio" name="kind" checked={kind === "service"} onChange={() => setKind("service")} />a
              service is running
            </label>
            <label className="inline">
              <input type="radio" name="kind" checked={kind === "http"} onChange={() => setKind("http")} />a URL answers
            </label>
          </fieldset>
        )}
        {kind === "service" ? (
          <label>
            Service (systemd unit)
            <input value={service} onChange={(e) => setService(e.target.value)} {...field("service_name")} />
            <FieldError id="hc-service_name-error" errors={errs} field="service_name" />
          </label>
        ) : (
          <>
            <label>
              URL
              <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} {...field("url")} />
              <FieldError id="hc-url-error" errors={errs} field="url" />
            </label>
            <label>
              Expected text in the body (optional)
              <input value={expected} onChange={(e) => setExpected(e.target.value)} {...field("expected_body")} />
              <FieldError id="hc-expected_body-error" errors={errs} field="expected_body" />
            </label>
            <label className="inline">
              <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} />
              Ignore certificate errors
            </label>
            <label>
              Basic auth user (optional)
              <input
                value={user}
                onChange={(e) => setUser(e.target.value)}
                autoComplete="off"
                {...field("basic_auth_user")}
              />
              <FieldError id="hc-basic_auth_user-error" errors={errs} field="basic_auth_user" />
            </label>
            <label>
              Basic auth password
              {check && <span className="hint">Leave empty to keep the stored one.</span>}
              <input
                type="password"
                value={pass}
                onChange={(e) => setPass(e.target.value)}
                autoComplete="new-password"
                {...field("basic_auth_pass")}
              />
              <FieldError id="hc-basic_auth_pass-error" errors={errs} field="basic_auth_pass" />
            </label>
          </>
        )}
        {check && (
          <label className="inline">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Enabled
          </label>
        )}
        <FormError error={save.error} shown={shown} />
        <div className="actions">
          <button type="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            {check ? "Save check" : "Create check"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
