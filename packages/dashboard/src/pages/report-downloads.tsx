import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, download, ok } from "../api/client";
import { ErrorState } from "../ui/states";

export type ReportType = "compliance" | "patch-history" | "vulnerability" | "audit";
const LABEL: Record<ReportType, string> = {
  compliance: "Compliance",
  "patch-history": "Patch history",
  vulnerability: "Vulnerabilities",
  audit: "Audit (admins)",
};

/**
 * A report as a file: downloaded at once (`GET /reports/{type}`) or prepared in the background
 * (`POST /exports {"kind":"report:<type>"}`, for large fleets), whose progress and signed
 * download the exports list shows. Dates are whole days in UTC.
 */
export function ReportDownloads({
  types,
  groupId,
  withPeriod = false,
}: {
  types: ReportType[];
  groupId?: string | undefined;
  withPeriod?: boolean;
}) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [type, setType] = useState<ReportType>(types[0] ?? "compliance");
  const [format, setFormat] = useState<"csv" | "pdf">("pdf");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const filters = {
    ...(withPeriod && from ? { from } : {}),
    ...(withPeriod && to ? { to } : {}),
    ...(groupId ? { group_id: groupId } : {}),
  };
  const now = useMutation({
    mutationFn: () =>
      download(`/api/v1/reports/${type}?${new URLSearchParams({ format, ...filters })}`, `${type}-report.${format}`),
  });
  const later = useMutation({
    mutationFn: () => ok(api.POST("/exports", { body: { kind: `report:${type}`, format, filters } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["tasks"] });
      void navigate({ to: "/exports", search: { offset: 0 } });
    },
  });
  return (
    <form
      className="toolbar"
      aria-label="Report file"
      onSubmit={(e) => {
        e.preventDefault();
        now.mutate();
      }}
    >
      <label>
        Report
        <select value={type} onChange={(e) => setType(e.target.value as ReportType)}>
          {types.map((t) => (
            <option key={t} value={t}>
              {LABEL[t]}
            </option>
          ))}
        </select>
      </label>
      <label>
        File type
        <select value={format} onChange={(e) => setFormat(e.target.value === "csv" ? "csv" : "pdf")}>
          <option value="pdf">PDF</option>
          <option value="csv">CSV</option>
        </select>
      </label>
      {withPeriod && (
        <>
          <label>
            From
            <input type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To
            <input type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
          </label>
        </>
      )}
      <button type="submit" className="primary" disabled={now.isPending}>
        {now.isPending ? "Downloading…" : "Download report"}
      </button>
      <button type="button" disabled={later.isPending} onClick={() => later.mutate()}>
        Prepare in background
      </button>
      {now.isError && <ErrorState error={now.error} />}
      {later.isError && <ErrorState error={later.error} />}
    </form>
  );
}
