// The search histogram: matches per time bucket stacked by level (uPlot); drag over a range or click a bar to zoom in.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtNum, fmtTime } from '../time';

export const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'other'] as const;

export interface HistogramData { startMs: number; endMs: number; bucketMs: number; rows: { bucket: string; level: string | null; count: number }[] }

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Buckets from start to end (zeros filled) and per level counts, levels bottom-up. */
export function bucketize(d: HistogramData): { xs: number[]; counts: Record<string, number[]> } {
  const first = Math.floor(d.startMs / d.bucketMs) * d.bucketMs;
  const n = Math.max(1, Math.ceil((d.endMs - first) / d.bucketMs));
  const xs = Array.from({ length: n }, (_, i) => (first + i * d.bucketMs) / 1000);
  const counts: Record<string, number[]> = Object.fromEntries(LEVELS.map((l) => [l, new Array<number>(n).fill(0)]));
  for (const r of d.rows) {
    const i = Math.floor((new Date(r.bucket).getTime() - first) / d.bucketMs);
    if (i < 0 || i >= n) continue;
    const lvl = (r.level ?? 'other').toLowerCase();
    const key = (LEVELS as readonly string[]).includes(lvl) ? lvl : 'other';
    (counts[key] as number[])[i] = ((counts[key] as number[])[i] ?? 0) + Number(r.count);
  }
  return { xs, counts };
}

export function Histogram({ data, onZoom, height = 160, band }: { data: HistogramData; onZoom: (startMs: number, endMs: number) => void; height?: number; /** a range to shade, e.g. an anomaly's window */ band?: [number, number] }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const [hover, setHover] = useState<number | null>(null);
  const { xs, counts } = useMemo(() => bucketize(data), [data]);
  const present = LEVELS.filter((l) => (counts[l] ?? []).some((v) => v > 0));
  const totals = Object.fromEntries(LEVELS.map((l) => [l, (counts[l] ?? []).reduce((a, b) => a + b, 0)]));

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Stacked: series k is the sum of the levels up to k; drawn tallest first so each shorter one paints over it.
    const order = [...present];
    const cum: number[][] = [];
    let acc = new Array<number>(xs.length).fill(0);
    for (const l of order) { acc = acc.map((v, i) => v + ((counts[l] as number[])[i] ?? 0)); cum.push(acc); }
    const series: uPlot.Series[] = [{}];
    const ys: number[][] = [];
    for (let k = order.length - 1; k >= 0; k--) {
      const color = cssVar(`--lvl-${order[k]}`);
      series.push({ label: order[k] as string, fill: color, stroke: color, width: 0, paths: uPlot.paths.bars?.({ size: [0.92, 64], align: 1 }), points: { show: false } });
      ys.push(cum[k] as number[]);
    }
    const axis = cssVar('--muted'), grid = cssVar('--grid');
    const opts: uPlot.Options = {
      width: el.clientWidth || 800, height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true, range: () => [data.startMs / 1000, data.endMs / 1000] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, space: 80 },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 48, values: (_u, vals) => vals.map((v) => fmtNum(v)) },
      ],
      series,
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, 'x') * 1000, b = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          zoom.current(Math.round(a), Math.round(b));
        }],
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
        draw: [(u) => {
          if (!band) return;
          const x0 = u.valToPos(band[0] / 1000, 'x', true), x1 = u.valToPos(band[1] / 1000, 'x', true);
          u.ctx.save();
          u.ctx.fillStyle = cssVar('--band');
          u.ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
          u.ctx.restore();
        }],
      },
    };
    const u = new uPlot(opts, [xs, ...ys] as uPlot.AlignedData, el);
    plot.current = u;
    // A click without a drag zooms into the bucket under the cursor.
    let downX = 0;
    const down = (e: MouseEvent) => { downX = e.clientX; };
    const up = (e: MouseEvent) => {
      const i = u.cursor.idx;
      if (Math.abs(e.clientX - downX) > 2 || i === null || i === undefined) return;
      const x = xs[i];
      if (x !== undefined) zoom.current(x * 1000, x * 1000 + data.bucketMs);
    };
    u.over.addEventListener('mousedown', down);
    u.over.addEventListener('mouseup', up);
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => { ro.disconnect(); u.destroy(); plot.current = null; };
  }, [xs, counts, height, band?.[0], band?.[1]]);

  const hx = hover !== null ? xs[hover] : undefined;
  return (
    <div class="histogram">
      <div class="histogram-legend" aria-live="polite">
        {hx !== undefined && hover !== null ? (
          <>
            <span class="muted">{fmtTime(hx * 1000, false)}</span>
            {present.map((l) => <span class="legend-item"><i class={`swatch lvl-${l}`} />{l} {fmtNum((counts[l] as number[])[hover])}</span>)}
          </>
        ) : (
          <>
            {present.length === 0 ? <span class="muted">no matches in this range</span> : null}
            {present.map((l) => <span class="legend-item"><i class={`swatch lvl-${l}`} />{l} {fmtNum(totals[l])}</span>)}
            {present.length > 0 ? <span class="muted hint">drag over the chart to zoom in</span> : null}
          </>
        )}
      </div>
      <div ref={box} class="histogram-plot" data-testid="histogram" data-buckets={xs.length} data-total={Object.values(totals).reduce((a, b) => a + b, 0)} />
    </div>
  );
}
