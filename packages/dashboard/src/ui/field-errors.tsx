import { FleetgateError } from "../api/client";
import { messageOf } from "./states";

/** The API's validation issues (`error.details: [{path, message}]`) by field path. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof FleetgateError)) return {};
  const body = err.body;
  const details =
    typeof body === "object" && body !== null && "error" in body && typeof body.error === "object" && body.error
      ? (body.error as { details?: unknown }).details
      : undefined;
  const out: Record<string, string> = {};
  if (Array.isArray(details)) {
    for (const d of details) {
      if (typeof d === "object" && d !== null && "path" in d && "message" in d) {
        const path = String(d.path);
        if (path && !(path in out)) out[path] = String(d.message);
      }
    }
  }
  // Domain refusals name their field first ("time_zone: unknown zone").
  const named = /^([a-z_][a-z0-9_.]*): (.+)$/.exec(err.message);
  if (named?.[1] && named[2] && !(named[1] in out)) out[named[1]] = named[2];
  return out;
}

/** A field's error under it (linked with aria-describedby through `id`). */
export function FieldError({ id, errors, field }: { id: string; errors: Record<string, string>; field: string }) {
  const msg = errors[field];
  if (!msg) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {msg}
    </span>
  );
}

/** The form-level error: the API's message, unless every issue is shown at its field. */
export function FormError({ error, shown }: { error: unknown; shown: string[] }) {
  if (!error) return null;
  const errs = fieldErrors(error);
  const all = Object.keys(errs);
  if (all.length > 0 && all.every((k) => shown.includes(k))) return null;
  return (
    <div className="alert error" role="alert">
      {messageOf(error)}
    </div>
  );
}
