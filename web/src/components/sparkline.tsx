// A small SVG sparkline (bars or a line) built from elements, no chart library needed for a few dozen points.
import type { JSX } from 'preact';

export function Sparkline({ values, width = 120, height = 24, kind = 'bars', tone = 'accent', label }: { values: number[]; width?: number; height?: number; kind?: 'bars' | 'line'; tone?: 'accent' | 'error' | 'warn'; label?: string }): JSX.Element {
  const max = Math.max(1, ...values);
  const n = Math.max(1, values.length);
  const w = width / n;
  const title = label ?? `${values.length} points, max ${max}`;
  if (kind === 'line') {
    const pts = values.map((v, i) => `${(i + 0.5) * w},${height - 1 - (v / max) * (height - 2)}`).join(' ');
    return (
      <svg class={`spark spark-${tone}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        <polyline points={pts} fill="none" />
      </svg>
    );
  }
  return (
    <svg class={`spark spark-${tone}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <title>{title}</title>
      {values.map((v, i) => {
        const h = v === 0 ? 0 : Math.max(1, (v / max) * (height - 1));
        return <rect x={i * w + 0.5} y={height - h} width={Math.max(1, w - 1)} height={h} />;
      })}
    </svg>
  );
}
