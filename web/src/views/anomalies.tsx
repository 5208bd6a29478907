// Anomalies: a timeline and a filtered list of what the detectors found; a detail view with the evidence behind one.
import type { JSX } from 'preact';
import { getJson, type Anomaly } from '../api';
import { TimePicker } from '../components/time-picker';
import { href, navigate, type Route } from '../router';
import { ago, fmtTime, iso, rangeFromParams, rangeParams, resolveRange } from '../time';
import { useFetch } from '../use-fetch';
import { AnomalyDetail } from './anomaly-detail';

export const TYPES = ['volume_spike', 'volume_drop', 'error_rate_spike', 'new_template', 'rare_template_burst', 'service_silence', 'brute_force', 'latency_shift', 'session_anomaly'];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const STATUSES = ['open', 'acknowledged', 'resolved'];

interface AnomaliesAnswer { anomalies: Anomaly[] }

export function AnomaliesView({ route }: { route: Route }): JSX.Element {
  if (route.sub) return <AnomalyDetail id={route.sub} service={route.params.get('service') ?? undefined} />;
  return <AnomalyList route={route} />;
}

function AnomalyList({ route }: { route: Route }): JSX.Element {
  const p = route.params;
  const range = rangeFromParams(p, '24h');
  const f = { type: p.get('type') ?? '', service: p.get('service') ?? '', severity: p.get('severity') ?? '', status: p.get('status') ?? '' };
  const set = (changes: Record<string, string | undefined>) => navigate(href('anomalies', { ...f, ...rangeParams(range), ...changes }), true);
  const { data, error, loading } = useFetch((s) => {
    const { startMs, endMs } = resolveRange(range);
    return getJson<AnomaliesAnswer>('/api/v1/anomalies', { ...f, from: iso(startMs), to: iso(endMs), limit: 1000 }, s);
  }, [p.toString()], 30_000);
  const all = useFetch((s) => getJson<AnomaliesAnswer>('/api/v1/anomalies', { limit: 1000 }, s), []);
  const services = [...new Set((all.data?.anomalies ?? []).map((a) => a.service))].sort();
  const { startMs, endMs } = resolveRange(range);
  return (
    <section class="view" aria-label="Anomalies">
      <div class="view-head">
        <h1>Anomalies</h1>
        <Select label="Type" value={f.type} options={TYPES} onChange={(v) => set({ type: v })} />
        <Select label="Service" value={f.service} options={services} onChange={(v) => set({ service: v })} />
        <Select label="Severity" value={f.severity} options={SEVERITIES} onChange={(v) => set({ severity: v })} />
        <Select label="Status" value={f.status} options={STATUSES} onChange={(v) => set({ status: v })} />
        <TimePicker range={range} onChange={(r) => set({ range: undefined, start: undefined, end: undefined, ...rangeParams(r) })} />
      </div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {loading && !data ? <p class="muted">loading…</p> : null}
      {data ? <Timeline anomalies={data.anomalies} startMs={startMs} endMs={endMs} /> : null}
      {data && data.anomalies.length === 0 ? <p class="empty">No anomalies match.</p> : null}
      {data && data.anomalies.length > 0 ? (
        <div class="table-wrap">
          <table class="data" data-testid="anomalies">
            <thead><tr><th scope="col">window</th><th scope="col">severity</th><th scope="col">type</th><th scope="col">service</th><th scope="col">description</th><th scope="col" class="num">score</th><th scope="col">status</th></tr></thead>
            <tbody>
              {data.anomalies.map((a) => (
                <tr>
                  <td class="nowrap"><a href={href('anomalies', { service: a.service }, a.anomaly_id)}>{fmtTime(a.window_start, false)}</a> <span class="muted">({ago(a.window_start)})</span></td>
                  <td><span class={`pill sev-${a.severity}`}>{a.severity}</span></td>
                  <td>{a.anomaly_type.replace(/_/g, ' ')}</td>
                  <td>{a.service}</td>
                  <td class="desc"><a href={href('anomalies', { service: a.service }, a.anomaly_id)}>{a.description}</a></td>
                  <td class="num">{a.score.toFixed(1)}</td>
                  <td>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

export function Select({ label, value, options, onChange }: { label: string; value: string; options: string[]; onChange: (v: string) => void }): JSX.Element {
  return (
    <label>{label} <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value="">all</option>
      {options.map((o) => <option value={o}>{o.replace(/_/g, ' ')}</option>)}
    </select></label>
  );
}

/** One lane per service, a mark per anomaly at its window, coloured by severity; each mark links to its detail. */
function Timeline({ anomalies, startMs, endMs }: { anomalies: Anomaly[]; startMs: number; endMs: number }): JSX.Element {
  const services = [...new Set(anomalies.map((a) => a.service))].sort();
  const lane = 22, left = 130, width = 1000, right = 10;
  const h = Math.max(1, services.length) * lane + 24;
  const x = (ms: number) => left + ((Math.min(Math.max(ms, startMs), endMs) - startMs) / Math.max(1, endMs - startMs)) * (width - left - right);
  const ticks = Array.from({ length: 6 }, (_, i) => startMs + (i * (endMs - startMs)) / 5);
  return (
    <figure class="timeline card" aria-label="anomaly timeline">
      <svg viewBox={`0 0 ${width} ${h}`} preserveAspectRatio="none" width="100%" height={h} role="img" aria-label={`${anomalies.length} anomalies over time by service`}>
        {services.map((s, i) => (
          <g>
            <line class="lane" x1={left} x2={width - right} y1={i * lane + lane / 2} y2={i * lane + lane / 2} />
            <text class="lane-label" x={left - 8} y={i * lane + lane / 2 + 4} text-anchor="end">{s.length > 18 ? `${s.slice(0, 17)}…` : s}</text>
          </g>
        ))}
        {ticks.map((t, i) => <text class="tick" x={x(t)} y={h - 6} text-anchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}>{fmtTime(t, false).slice(5, 16)}</text>)}
        {anomalies.map((a) => {
          const i = services.indexOf(a.service);
          const x0 = x(new Date(a.window_start).getTime()), x1 = x(new Date(a.window_end).getTime());
          return (
            <a href={href('anomalies', { service: a.service }, a.anomaly_id)}>
              <rect class={`mark sev-${a.severity}`} x={x0} y={i * lane + 4} width={Math.max(4, x1 - x0)} height={lane - 8} rx={2}>
                <title>{`${a.severity} ${a.anomaly_type} · ${a.service} · ${fmtTime(a.window_start, false)}: ${a.description}`}</title>
              </rect>
            </a>
          );
        })}
      </svg>
    </figure>
  );
}
