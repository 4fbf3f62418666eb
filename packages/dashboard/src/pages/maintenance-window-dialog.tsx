import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, ok } from "../api/client";
import { utcToZoned, zonedToUtc } from "../lib/zoned-time";
import { Dialog } from "../ui/dialog";
import { FieldError, FormError, fieldErrors } from "../ui/field-errors";

type Window = Schemas["MaintenanceWindow"];
type Recurrence = Window["recurrence"];

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Hosts to choose from (the user's visible ones, by name). */
export function useHostChoices(enabled: boolean) {
  return useQuery({
    queryKey: ["hosts", "choices"],
    queryFn: () => ok(api.GET("/hosts", { params: { query: { limit: 200, sort_by: "fqdn", order: "asc" } } })),
    enabled,
    staleTime: 60_000,
  });
}

/**
 * Create or edit a maintenance window. The start is entered as wall-clock time in the window's
 * own (named) time zone; the API's validation errors are shown at their fields.
 */
export function MaintenanceWindowDialog({
  open,
  onOpenChange,
  window: win,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  window?: Window;
}) {
  const qc = useQueryClient();
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [hostId, setHostId] = useState(win?.host_id ?? "");
  const [label, setLabel] = useState(win?.label ?? "");
  const [recurrence, setRecurrence] = useState<Recurrence>(win?.recurrence ?? "weekly");
  const [timeZone, setTimeZone] = useState(win?.time_zone ?? browserZone);
  const [start, setStart] = useState(win ? utcToZoned(win.start_at, win.time_zone) : "");
  const [duration, setDuration] = useState(String(win?.duration_minutes ?? 60));
  const [day, setDay] = useState(win?.recurrence_day ?? 0);
  const [enabled, setEnabled] = useState(win?.enabled ?? true);
  const [autoApply, setAutoApply] = useState(win?.auto_apply ?? false);
  const [local, setLocal] = useState<Record<string, string>>({});
  const hosts = useHostChoices(open && !win);

  const save = useMutation({
    mutationFn: async () => {
      const startAt = zonedToUtc(start, timeZone);
      const problems: Record<string, string> = {};
      if (!win && !hostId) problems.host_id = "Choose a host";
      if (!startAt) problems.start_at = start ? "Not a time in this time zone" : "Required";
      setLocal(problems);
      if (Object.keys(problems).length > 0 || !startAt) return undefined;
      const body = {
        label,
        recurrence,
        start_at: startAt,
        duration_minutes: Number(duration),
        recurrence_day: recurrence === "weekly" || recurrence === "monthly" ? day : null,
        enabled,
        auto_apply: autoApply,
        time_zone: timeZone,
      };
      return win
        ? ok(
            api.PUT("/hosts/{host_id}/maintenance-windows/{win_id}", {
              params: { path: { host_id: win.host_id, win_id: win.id } },
              body,
            }),
          )
        : ok(api.POST("/hosts/{host_id}/maintenance-windows", { params: { path: { host_id: hostId } }, body }));
    },
    onSuccess: (saved) => {
      if (!saved) return;
      void qc.invalidateQueries({ queryKey: ["maintenance-windows"] });
      onOpenChange(false);
    },
  });
  const errs = { ...fieldErrors(save.error), ...local };
  const shown = ["host_id", "label", "start_at", "duration_minutes", "recurrence_day", "time_zone"];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const described = (f: string) => (errs[f] ? `mw-${f}-error` : undefined);

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={win ? `Edit window ${win.label}` : "New maintenance window"}
      description="Times are wall-clock times in the window's own time zone."
    >
      <form className="form" onSubmit={submit} noValidate>
        {!win && (
          <label>
            Host
            <select
              value={hostId}
              onChange={(e) => setHostId(e.target.value)}
              aria-invalid={Boolean(errs.host_id)}
              aria-describedby={described("host_id")}
            >
              <option value="">Choose a host…</option>
              {hosts.data?.hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.display_name || h.fqdn}
                </option>
              ))}
            </select>
            <FieldError id="mw-host_id-error" errors={errs} field="host_id" />
          </label>
        )}
        <label>
          Label
          <input
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            aria-invalid={Boolean(errs.label)}
            aria-describedby={described("label")}
          />
          <FieldError id="mw-label-error" errors={errs} field="label" />
        </label>
        <label>
          Repeats
          <select value={recurrence} onChange={(e) => setRecurrence(e.target.value as Recurrence)}>
            <option value="once">once</option>
            <option value="daily">daily</option>
            <option value="weekly">weekly</option>
            <option value="monthly">monthly</option>
          </select>
        </label>
        {recurrence === "weekly" && (
          <label>
            Day of the week
            <select
              value={day}
              onChange={(e) => setDay(Number(e.target.value))}
              aria-describedby={described("recurrence_day")}
            >
              {DAYS.map((d, i) => (
                <option key={d} value={i}>
                  {d}
                </option>
              ))}
            </select>
            <FieldError id="mw-recurrence_day-error" errors={errs} field="recurrence_day" />
          </label>
        )}
        {recurrence === "monthly" && (
          <label>
            Day of the month
            <input
              type="number"
              value={day}
              onChange={(e) => setDay(Number(e.target.value))}
              aria-invalid={Boolean(errs.recurrence_day)}
              aria-describedby={described("recurrence_day")}
            />
            <FieldError id="mw-recurrence_day-error" errors={errs} field="recurrence_day" />
          </label>
        )}
        <label>
          Time zone (IANA)
          <input
            value={timeZone}
            onChange={(e) => setTimeZone(e.target.value)}
            aria-invalid={Boolean(errs.time_zone)}
            aria-describedby={described("time_zone")}
          />
          <FieldError id="mw-time_zone-error" errors={errs} field="time_zone" />
        </label>
        <label>
          First start ({timeZone || "zone?"})
          <input
            type="datetime-local"
            value={start}
            onChange={(e) => setStart(e.target.value)}
            aria-invalid={Boolean(errs.start_at)}
            aria-describedby={described("start_at")}
          />
          <FieldError id="mw-start_at-error" errors={errs} field="start_at" />
        </label>
        <label>
          Duration (minutes)
          <input
            type="number"
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            aria-invalid={Boolean(errs.duration_minutes)}
            aria-describedby={described("duration_minutes")}
          />
          <FieldError id="mw-duration_minutes-error" errors={errs} field="duration_minutes" />
        </label>
        <label className="inline">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Enabled
        </label>
        <label className="inline">
          <input type="checkbox" checked={autoApply} onChange={(e) => setAutoApply(e.target.checked)} />
          Apply pending security updates automatically in this window
        </label>
        <FormError error={save.error} shown={shown} />
        <div className="actions">
          <button type="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            {win ? "Save window" : "Create window"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
