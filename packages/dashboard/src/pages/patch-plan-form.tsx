import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok } from "../api/client";
import { PATCH_FORM_DEFAULTS, type PatchForm, patchJobBody } from "../lib/patch-plan";
import { Confirm } from "../ui/confirm";
import { ErrorState } from "../ui/states";

/** From this many hosts on, the deployment needs the host count typed to confirm. */
const TYPED_FROM = 10;
type Host = Schemas["HostSummary"];

/**
 * The plan of a patch deployment for the selected hosts (all / security only / named packages;
 * now, in the hosts' own next maintenance window or in a named one; parallelism, error
 * threshold, timeout; rings and health gate) and its confirmed `POST /jobs` of kind
 * `patch_apply`, which opens the job's live view.
 */
export function PatchPlanForm({ hosts, onClear }: { hosts: Host[]; onClear: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState<PatchForm>(PATCH_FORM_DEFAULTS);
  const [problem, setProblem] = useState<{ field: keyof PatchForm; message: string } | undefined>();
  const [confirming, setConfirming] = useState(false);
  const windows = useQuery({ queryKey: ["maintenance-windows"], queryFn: () => ok(api.GET("/maintenance-windows")) });
  const ids = new Set(hosts.map((h) => h.id));
  const usable = (windows.data?.windows ?? []).filter((w) => w.enabled && ids.has(w.host_id));
  const create = useMutation({
    mutationFn: (body: Schemas["CreatePatchJobRequest"]) => ok(api.POST("/jobs", { body })),
    onSuccess: (job) => {
      onClear();
      void navigate({ to: "/jobs/$jobId", params: { jobId: job.id } });
    },
    onSettled: () => setConfirming(false),
  });
  const set = <K extends keyof PatchForm>(k: K, v: PatchForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const plan = patchJobBody(
    hosts.map((h) => h.id),
    form,
  );
  const err = (k: keyof PatchForm) =>
    problem?.field === k ? (
      <span className="field-error" id={`patch-${k}-error`}>
        {problem.message}
      </span>
    ) : null;
  /** One numeric field of the plan: its label (and hint), the input, and the field's error. */
  const numberField = (
    k: "expectedMinutes" | "maxParallel" | "timeoutSeconds",
    label: string,
    min: number,
    max: number,
    hint?: string,
  ) => (
    <label>
      {label}
      {hint && <span className="hint">{hint}</span>}
      <input
        type="number"
        min={min}
        max={max}
        value={form[k]}
        aria-invalid={problem?.field === k}
        onChange={(e) => set(k, Number(e.target.value))}
      />
      {err(k)}
    </label>
  );
  const what =
    form.what === "all" ? "every pending update" : form.what === "security" ? "security updates" : "the named packages";

  return (
    <section className="card" aria-labelledby="plan">
      <h2 id="plan">Plan</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!plan.ok) {
            setProblem({ field: plan.field, message: plan.message });
            return;
          }
          setProblem(undefined);
          setConfirming(true);
        }}
      >
        <p data-testid="patch-targets">
          {hosts.length === 0
            ? "No host selected: select the hosts to patch in the table above."
            : `${hosts.length} host(s) selected: ${hosts.map((h) => h.display_name || h.name).join(", ")}`}
        </p>
        {err("what")}
        <fieldset>
          <legend>Updates</legend>
          {(
            [
              ["security", "Security updates only"],
              ["all", "Every pending update"],
              ["packages", "Only these packages"],
            ] as const
          ).map(([v, label]) => (
            <label className="inline" key={v}>
              <input type="radio" name="what" checked={form.what === v} onChange={() => set("what", v)} /> {label}
            </label>
          ))}
          {form.what === "packages" && (
            <label>
              Packages
              <span className="hint">
                Names separated by commas, spaces or lines; each goes to its pending candidate version.
              </span>
              <textarea
                rows={2}
                value={form.packages}
                aria-invalid={problem?.field === "packages"}
                onChange={(e) => set("packages", e.target.value)}
              />
              {err("packages")}
            </label>
          )}
        </fieldset>
        <label>
          When
          <select value={form.when} onChange={(e) => set("when", e.target.value)}>
            <option value="now">Now</option>
            <option value="windows">In the hosts' next maintenance window</option>
            {usable.map((w) => (
              <option key={w.id} value={w.id}>
                In the window “{w.label}” ({w.time_zone})
              </option>
            ))}
          </select>
          <span className="hint">
            In a window the job waits (pending) until the window opens. With the hosts' own windows every selected host
            needs an enabled window and their next openings must coincide; otherwise name one window.
          </span>
        </label>
        {form.when !== "now" &&
          numberField(
            "expectedMinutes",
            "Expected minutes per host",
            1,
            1440,
            "No host starts after the window's end minus this.",
          )}
        <div className="grid-2">
          {numberField("maxParallel", "Hosts at a time", 1, 10000)}
          <label>
            Stop after failures
            <span className="hint">Hosts (e.g. 2) or a percentage (e.g. 10%); empty = never stop.</span>
            <input
              value={form.errorThreshold}
              aria-invalid={problem?.field === "errorThreshold"}
              onChange={(e) => set("errorThreshold", e.target.value)}
            />
            {err("errorThreshold")}
          </label>
          {numberField("timeoutSeconds", "Timeout per host (seconds)", 60, 86400)}
          <label>
            Notes
            <input value={form.notes} maxLength={10000} onChange={(e) => set("notes", e.target.value)} />
          </label>
        </div>
        <fieldset>
          <legend>Health-gated rollout</legend>
          <div className="grid-2">
            <label>
              Ring sizes
              <span className="hint">
                Hosts per ring in the order selected, e.g. 1, 4: ring 2 starts only when ring 1 passed its health
                checks. Empty = no rings. The stop-after-failures threshold then counts per ring.
              </span>
              <input
                value={form.rings}
                aria-invalid={problem?.field === "rings"}
                onChange={(e) => set("rings", e.target.value)}
              />
              {err("rings")}
            </label>
            <label>
              When a health check fails after patching
              <span className="hint">
                Each host's health checks run on its agent before (failing: not patched) and after patching.
              </span>
              <select
                value={form.onHealthFailure}
                onChange={(e) => {
                  const v = e.target.value;
                  set("onHealthFailure", v === "stop" || v === "rollback" ? v : "");
                }}
              >
                <option value="">No health gate (unless rings are set: stop)</option>
                <option value="stop">Stop the rollout</option>
                <option value="rollback">Stop and roll the ring back to the exact previous versions</option>
              </select>
            </label>
          </div>
        </fieldset>
        {create.isError && <ErrorState error={create.error} />}
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Deploy to {hosts.length} host(s)…
          </button>
        </div>
      </form>
      <Confirm
        open={confirming}
        onOpenChange={setConfirming}
        title="Deploy patches"
        description={`Install ${what} on ${hosts.length} host(s), ${form.when === "now" ? "now" : form.when === "windows" ? "in the hosts' next maintenance window" : "in the chosen maintenance window"}. Each host's plan (exact versions) is fixed when the job is created, and the job can be rolled back to the exact previous versions.`}
        action={`Deploy to ${hosts.length} host(s)`}
        typed={hosts.length >= TYPED_FROM ? String(hosts.length) : undefined}
        busy={create.isPending}
        onConfirm={() => {
          if (plan.ok) create.mutate(plan.body);
        }}
      />
    </section>
  );
}
