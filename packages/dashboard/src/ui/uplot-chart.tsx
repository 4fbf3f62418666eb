import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartData } from "./chart";

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";

/** The uPlot renderer (lazy chunk). Colours come from the theme's CSS variables. */
export default function UPlotChart({ data, kind }: { data: ChartData; kind: "line" | "step" | "bars" }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const palette = [css("--accent"), css("--bad"), css("--ok"), css("--warn")];
    const paths =
      kind === "bars"
        ? uPlot.paths.bars?.({ size: [0.6, 60] })
        : kind === "step"
          ? uPlot.paths.stepped?.({ align: 1 })
          : undefined;
    const axis = { stroke: css("--text-muted"), grid: { stroke: css("--border"), width: 1 } };
    const plot = new uPlot(
      {
        width: Math.max(node.clientWidth, 280),
        height: 200,
        legend: { show: data.series.length > 1 },
        scales: { x: { time: kind !== "bars" } },
        axes: [axis, axis],
        series: [
          {},
          ...data.series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            fill: kind === "bars" ? palette[i % palette.length] : undefined,
            width: 2,
            paths,
          })),
        ],
      },
      [data.x, ...data.series.map((s) => s.values)],
      node,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(node.clientWidth, 280), height: 200 }));
    ro.observe(node);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data, kind]);
  return <div ref={el} />;
}
