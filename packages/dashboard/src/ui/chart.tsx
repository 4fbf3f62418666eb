import { lazy, Suspense } from "react";

/** A chart series: x values (unix seconds or bucket index) and one or more y series. */
export type ChartData = { x: number[]; series: { label: string; values: number[] }[] };

const UPlotChart = lazy(() => import("./uplot-chart"));

/**
 * A chart (uPlot, loaded as its own chunk) with its table twin: the same numbers as a
 * table, for screen readers, keyboard users and tests that check numbers, not pixels.
 */
export function Chart({
  title,
  data,
  kind,
  xLabel,
  formatX,
}: {
  title: string;
  data: ChartData;
  kind: "line" | "step" | "bars";
  xLabel: string;
  formatX: (x: number) => string;
}) {
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <div aria-hidden="true" className="chart">
        <Suspense fallback={<div className="hint">Loading chart…</div>}>
          <UPlotChart data={data} kind={kind} />
        </Suspense>
      </div>
      <details>
        <summary>View as table</summary>
        <table className="data" data-chart-table={title}>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              {data.series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.x.map((x, i) => (
              <tr key={x}>
                <th scope="row">{formatX(x)}</th>
                {data.series.map((s) => (
                  <td key={s.label}>{s.values[i] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
