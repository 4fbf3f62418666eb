import type { ReactNode } from "react";
import { FleetgateError } from "../api/client";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state">{children}</div>;
}

export function messageOf(err: unknown): string {
  if (err instanceof FleetgateError) return err.message;
  if (err instanceof Error) return err.message;
  return "Something went wrong";
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="alert error" role="alert">
      {messageOf(error)}{" "}
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Renders a query's loading, error, empty and data states in one place. */
export function QueryView<T>({
  q,
  empty,
  isEmpty,
  children,
}: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (q.isPending) return <Loading />;
  if (q.isError || q.data === undefined) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  if (empty !== undefined && isEmpty?.(q.data)) return <Empty>{empty}</Empty>;
  return <>{children(q.data)}</>;
}

const tone: Record<string, string> = {
  healthy: "ok",
  succeeded: "ok",
  active: "ok",
  approved: "ok",
  SUCCESS: "ok",
  online: "ok",
  degraded: "warn",
  pending: "warn",
  queued: "warn",
  running: "info",
  dispatched: "info",
  STARTED: "info",
  PENDING: "warn",
  unreachable: "bad",
  failed: "bad",
  timed_out: "bad",
  revoked: "bad",
  denied: "bad",
  FAILURE: "bad",
  offline_expired: "bad",
  expired: "bad",
  cancelled: "",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${tone[status] ?? ""}`}>{status.replace(/_/g, " ")}</span>;
}

export function fmtTime(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleString();
}
