import { useQuery } from "@tanstack/react-query";
import { endpointExists } from "../api/client";
import { ErrorState, Loading } from "../ui/states";

/**
 * A page whose API this server does not have yet. It asks the server (a real request to
 * the API path the page needs) and says plainly what is missing; it never shows sample data.
 */
export function UnavailablePage({ title, probe, what }: { title: string; probe: string; what: string }) {
  const q = useQuery({ queryKey: ["probe", probe], queryFn: () => endpointExists(probe) });
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : q.data ? (
        <div className="state" role="status">
          This server offers {what} (<code>/api/v1{probe}</code>), but this version of the dashboard has no page for it
          yet.
        </div>
      ) : (
        <div className="state" role="status" data-unavailable={probe}>
          Not available on this server: it has no {what} API (<code>/api/v1{probe}</code> answered 404).
        </div>
      )}
    </>
  );
}

export const PatchingPage = () => (
  <UnavailablePage title="Patch deployment" probe="/patches" what="patch inventory and patch jobs" />
);
export const MaintenancePage = () => (
  <UnavailablePage title="Maintenance" probe="/maintenance-windows" what="maintenance windows" />
);
export const HealthChecksPage = () => (
  <UnavailablePage title="Health checks" probe="/health-checks" what="health checks" />
);
export const CompliancePage = () => (
  <UnavailablePage title="Compliance" probe="/reports/compliance" what="compliance and vulnerability reports" />
);
