import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent, ReactNode } from "react";
import { api, ok } from "../api/client";
import { ErrorState } from "../ui/states";

type Update = Schemas["SettingsUpdate"];

/** Secrets read back as this; sending it back unchanged keeps the stored secret. */
export const MASKED = "********";

/** One entry per line (or comma/space separated), blanks dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A section's form: its own Save (PUT of that section only), the API's refusal shown inline. */
export function SectionForm({
  id,
  title,
  hint,
  save,
  extra,
  children,
}: {
  id: string;
  title: string;
  hint?: string;
  save: { mutate: () => void; isPending: boolean; isError: boolean; error: unknown; isSuccess: boolean };
  extra?: ReactNode;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {hint && <p className="hint">{hint}</p>}
      <form className="form" onSubmit={submit} aria-label={title}>
        {children}
        {save.isError && <ErrorState error={save.error} />}
        {save.isSuccess && (
          <div className="alert ok" role="status">
            Saved.
          </div>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            Save
          </button>
          {extra}
        </div>
      </form>
    </section>
  );
}

/** PUT /settings with one section; the answer (all settings, secrets masked) refreshes the page's copy. */
export function useSave(build: () => Update) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => ok(api.PUT("/settings", { body: build() })),
    onSuccess: (data) => qc.setQueryData(["settings", "general"], data),
  });
}
