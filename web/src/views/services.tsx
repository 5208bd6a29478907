// Services: every service with volume and error-rate sparklines, its open anomalies, and whether alerts are silenced.
import type { JSX } from 'preact';
import { getJson, query, quote, type Anomaly, type Silence } from '../api';
import { Sparkline } from '../components/sparkline';
import { href, type Route } from '../router';
import { bucketFor, fmtNum, iso, rangeFromParams, resolveRange } from '../time';
import { useFetch } from '../use-fetch';
import { TimePicker } from '../components/time-picker';
import { navigate } from '../router';

interface ServiceRow { service: string; volume: number[]; errors: number[]; total: number; errorTotal: number; anomalies: Anomaly[]; silenced: boolean }

const SEV_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Services a silence's matchers name with service="x" (equality only: regex matchers are shown on the Alerts view). */
function silencedServices(silences: Silence[]): Set<string> {
  const out = new Set<string>();
  for (const s of silences) {
    for (const m of s.matchers) {
      if (typeof m === 'object') { if (m.name === 'service' && m.isEqual && !m.isRegex) out.add(m.value); continue; }
      const x = /^service="((?:[^"\\]|\\.)*)"$/.exec(m.replace(/\s+/g, ''));
      if (x?.[1]) out.add(x[1]);
    }
  }
  return out;
}

async function load(range: { startMs: number; endMs: number }, signal: AbortSignal): Promise<ServiceRow[]> {
  const b = bucketFor(range.endMs - range.startMs, 48);
  const first = Math.floor(range.startMs / b.ms) * b.ms;
  const n = Math.max(1, Math.ceil((range.endMs - first) / b.ms));
  const opts = { start: iso(range.startMs), end: iso(range.endMs), limit: 10_000 };
  const [vol, err, an, sil] = await Promise.all([
    query(`* | histogram ${b.label} by service`, opts, signal),
    query(`level:>=error | histogram ${b.label} by service`, opts, signal),
    getJson<{ anomalies: Anomaly[] }>('/api/v1/anomalies', { status: 'open', limit: 1000 }, signal).catch(() => ({ anomalies: [] as Anomaly[] })),
    getJson<{ silences: Silence[] }>('/api/v1/silences', { state: 'active' }, signal).catch(() => ({ silences: [] as Silence[] })),
  ]);
  const rows = new Map<string, ServiceRow>();
  const get = (s: string) => {
    let r = rows.get(s);
    if (!r) { r = { service: s, volume: new Array<number>(n).fill(0), errors: new Array<number>(n).fill(0), total: 0, errorTotal: 0, anomalies: [], silenced: false }; rows.set(s, r); }
    return r;
  };
  const idx = (bucket: unknown) => Math.floor((new Date(String(bucket)).getTime() - first) / b.ms);
  for (const r of vol.rows) { const s = get(String(r.service)); const i = idx(r.bucket); if (i >= 0 && i < n) s.volume[i] = Number(r.count); s.total += Number(r.count); }
  for (const r of err.rows) { const s = get(String(r.service)); const i = idx(r.bucket); if (i >= 0 && i < n) s.errors[i] = Number(r.count); s.errorTotal += Number(r.count); }
  for (const a of an.anomalies) get(a.service).anomalies.push(a);
  const silenced = silencedServices(sil.silences);
  for (const r of rows.values()) r.silenced = silenced.has(r.service);
  return [...rows.values()].sort((a, b2) => worst(b2) - worst(a) || b2.total - a.total);
}

const worst = (r: ServiceRow) => Math.max(0, ...r.anomalies.map((a) => SEV_RANK[a.severity] ?? 0));

function health(r: ServiceRow): { label: string; cls: string } {
  if (r.anomalies.some((a) => a.anomaly_type === 'service_silence')) return { label: 'silent', cls: 'sev-high' };
  // Low-severity anomalies (a new template, say) are listed but do not change the health.
  const w = worst(r);
  if (w >= 4) return { label: 'critical', cls: 'sev-critical' };
  if (w >= 2) return { label: 'degraded', cls: w >= 3 ? 'sev-high' : 'sev-medium' };
  return { label: 'healthy', cls: 'ok' };
}

export function ServicesView({ route }: { route: Route }): JSX.Element {
  const range = rangeFromParams(route.params, '6h');
  const { startMs, endMs } = resolveRange(range);
  const { data, error, loading } = useFetch((s) => load(resolveRange(range), s), [route.params.toString()], 30_000);
  return (
    <section class="view" aria-label="Services">
      <div class="view-head">
        <h1>Services</h1>
        <TimePicker range={range} onChange={(r) => navigate(href('services', r.rel ? { range: r.rel } : { start: r.start, end: r.end }))} />
      </div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {loading && !data ? <p class="muted">loading…</p> : null}
      {data && data.length === 0 ? <p class="empty">No records in this range.</p> : null}
      {data && data.length > 0 ? (
        <div class="table-wrap">
          <table class="data services" data-testid="services">
            <thead><tr><th scope="col">service</th><th scope="col">health</th><th scope="col" class="num">records</th><th scope="col">volume</th><th scope="col" class="num">error rate</th><th scope="col">errors</th><th scope="col">open anomalies</th><th scope="col">alerts</th></tr></thead>
            <tbody>
              {data.map((r) => {
                const h = health(r);
                return (
                  <tr>
                    <th scope="row"><a href={href('search', { q: `service:${quote(r.service)}`, start: iso(startMs), end: iso(endMs) })}>{r.service}</a></th>
                    <td><span class={`pill ${h.cls}`}>{h.label}</span></td>
                    <td class="num">{fmtNum(r.total)}</td>
                    <td><Sparkline values={r.volume} label={`${r.service} records per bucket`} /></td>
                    <td class="num">{r.total ? `${((r.errorTotal / r.total) * 100).toFixed(1)}%` : '—'}</td>
                    <td><Sparkline values={r.errors} tone="error" label={`${r.service} errors per bucket`} /></td>
                    <td>{r.anomalies.length === 0 ? <span class="muted">none</span> : r.anomalies.slice(0, 3).map((a) => (
                      <a class={`pill sev-${a.severity}`} href={href('anomalies', {}, a.anomaly_id)} title={a.description}>{a.anomaly_type.replace(/_/g, ' ')}</a>
                    ))}{r.anomalies.length > 3 ? <span class="muted"> +{r.anomalies.length - 3}</span> : null}</td>
                    <td>{r.silenced ? <span class="pill muted-pill">silenced</span> : <span class="muted">—</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
