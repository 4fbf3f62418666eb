import { useQuery } from "@tanstack/react-query";
import { endpointExists } from "../api/client";
import { ErrorState, Loading } from "../ui/states";

/**
 * A page whose API this server may not have yet. It asks the server (the OpenAPI document it
 * serves) whether the paths the page needs exist, and says plainly what is missing; it never
 * shows sample data.
 */
export function UnavailablePage({
  title,
  probe,
  paths,
  what,
}: {
  title: string;
  probe: RegExp;
  paths: string;
  what: string;
}) {
  const q = useQuery({
    queryKey: ["probe", probe.source],
    queryFn: () => endpointExists(probe),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
      </div>
      <Availability q={q} paths={paths} what={what} />
    </>
  );
}

export function Availability({
  q,
  paths,
  what,
}: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: boolean | undefined; refetch: () => unknown };
  paths: string;
  what: string;
}) {
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  return q.data ? (
    <div className="state" role="status">
      This server offers {what} (<code>{paths}</code>), but this version of the dashboard has no page for it yet.
    </div>
  ) : (
    <div className="state" role="status" data-unavailable={paths}>
      Not available on this server: its API has no {what} (<code>{paths}</code>).
    </div>
  );
}
