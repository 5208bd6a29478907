// One anomaly: its sentence, the records around its window (stacked by level, window shaded), baseline against
// observed, sample lines, the session key, and a link to the logs around it.
import type { JSX } from 'preact';
import { getJson, query, quote, type Anomaly, type Row } from '../api';
import { Histogram, type HistogramData } from '../components/histogram';
import { text } from '../components/record-detail';
import { href, navigate } from '../router';
import { bucketFor, fmtNum, fmtTime, iso } from '../time';
import { useFetch } from '../use-fetch';

interface Evidence { baseline?: unknown; observed?: unknown; sample_record_ids?: string[]; session_key?: string; template_ids?: string[]; [k: string]: unknown }

/** The context shown around a window: ten windows before (at least 30 minutes), two after. */
export function contextOf(a: Anomaly): { startMs: number; endMs: number } {
  const ws = new Date(a.window_start).getTime(), we = new Date(a.window_end).getTime();
  const w = Math.max(60_000, we - ws);
  return { startMs: ws - Math.max(30 * 60_000, 10 * w), endMs: we + Math.max(5 * 60_000, 2 * w) };
}

/** The search for the logs around an anomaly: its service, five minutes either side of its window. */
export function logsHref(a: Anomaly): string {
  const ws = new Date(a.window_start).getTime(), we = new Date(a.window_end).getTime();
  return href('search', { q: `service:${quote(a.service)}`, start: iso(ws - 5 * 60_000), end: iso(we + 5 * 60_000) });
}

async function load(id: string, service: string | undefined, signal: AbortSignal) {
  const list = await getJson<{ anomalies: Anomaly[] }>('/api/v1/anomalies', { service, limit: 10_000 }, signal);
  const a = list.anomalies.find((x) => x.anomaly_id === id);
  if (!a) throw new Error(`no anomaly with id ${id}`);
  const ctx = contextOf(a);
  const b = bucketFor(ctx.endMs - ctx.startMs, 60);
  const ev = a.evidence as Evidence;
  const ids = (ev.sample_record_ids ?? []).filter((x) => typeof x === 'string').slice(0, 10);
  const ws = new Date(a.window_start).getTime(), we = new Date(a.window_end).getTime();
  const around = { start: iso(ws - 3_600_000), end: iso(we + 3_600_000) };
  const [h, samples] = await Promise.all([
    query(`service:${quote(a.service)} | histogram ${b.label} by level`, { start: iso(ctx.startMs), end: iso(ctx.endMs) }, signal),
    ids.length > 0
      ? query(`id:in(${ids.map(quote).join(', ')})`, { ...around, limit: 20 }, signal)
      : query(`service:${quote(a.service)}${/error/.test(a.anomaly_type) ? ' level:>=error' : ''}`, { start: a.window_start, end: a.window_end, limit: 10 }, signal),
  ]);
  const hist: HistogramData = { startMs: ctx.startMs, endMs: ctx.endMs, bucketMs: b.ms, rows: h.rows as HistogramData['rows'] };
  return { a, hist, samples: samples.rows };
}

export function AnomalyDetail({ id, service }: { id: string; service: string | undefined }): JSX.Element {
  const { data, error, loading } = useFetch((s) => load(id, service, s), [id, service]);
  return (
    <section class="view" aria-label="Anomaly">
      <div class="view-head"><a class="btn ghost" href={href('anomalies')}>← Anomalies</a></div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {loading && !data ? <p class="muted">loading…</p> : null}
      {data ? <Detail a={data.a} hist={data.hist} samples={data.samples} /> : null}
    </section>
  );
}

function Detail({ a, hist, samples }: { a: Anomaly; hist: HistogramData; samples: Row[] }): JSX.Element {
  const ev = a.evidence as Evidence;
  const ws = new Date(a.window_start).getTime(), we = new Date(a.window_end).getTime();
  return (
    <div class="anomaly-detail" data-testid="anomaly-detail">
      <h1><span class={`pill sev-${a.severity}`}>{a.severity}</span> {a.anomaly_type.replace(/_/g, ' ')} · {a.service}</h1>
      <p class="lead">{a.description}</p>
      <div class="actions">
        <a class="btn primary" href={logsHref(a)} data-testid="anomaly-logs">Logs around it</a>
        {ev.session_key ? <a class="btn" href={href('search', { q: quote(String(ev.session_key)), start: iso(ws - 3_600_000), end: iso(we + 600_000) })}>Lines of session {String(ev.session_key)}</a> : null}
        {(ev.template_ids ?? []).slice(0, 3).map((t) => <a class="btn" href={href('search', { q: `template:${t}`, start: iso(ws - 3_600_000), end: iso(we + 600_000) })}>template {t.slice(0, 8)}</a>)}
      </div>
      <dl class="facts">
        <div><dt>window</dt><dd>{fmtTime(a.window_start, false)} → {fmtTime(a.window_end, false)}</dd></div>
        <div><dt>detected</dt><dd>{fmtTime(a.detected_at, false)}</dd></div>
        <div><dt>score</dt><dd>{a.score.toFixed(2)}</dd></div>
        <div><dt>confidence</dt><dd>{(a.confidence * 100).toFixed(0)}%</dd></div>
        <div><dt>status</dt><dd>{a.status}</dd></div>
        {ev.session_key ? <div><dt>session key</dt><dd class="mono">{String(ev.session_key)}</dd></div> : null}
        <div><dt>id</dt><dd class="mono">{a.anomaly_id}</dd></div>
      </dl>
      <h2>Records of {a.service} around the window</h2>
      <Histogram data={hist} band={[ws, we]} onZoom={(s, e) => navigate(href('search', { q: `service:${quote(a.service)}`, start: iso(s), end: iso(e) }))} />
      <h2>Baseline against observed</h2>
      <Compare baseline={ev.baseline} observed={ev.observed} />
      <h2>Sample lines</h2>
      {samples.length === 0 ? <p class="muted">No sample lines stored with this anomaly.</p> : (
        <ul class="samples" data-testid="anomaly-samples">
          {samples.map((r) => <li><span class="muted mono">{fmtTime(r.timestamp)}</span> <span class={`badge lvl-${String(r.level ?? 'other').toLowerCase()}`}>{text(r.level)}</span> <span class="mono">{text(r.message)}</span></li>)}
        </ul>
      )}
      <h2>Evidence</h2>
      <pre class="metadata">{JSON.stringify(a.evidence, null, 2)}</pre>
    </div>
  );
}

/** Numbers the baseline and the observation share, as pairs of bars (a number, or the numeric keys of an object). */
function pairs(baseline: unknown, observed: unknown): [string, number | null, number][] {
  if (typeof observed === 'number') return [['value', typeof baseline === 'number' ? baseline : null, observed]];
  if (observed && typeof observed === 'object') {
    const b = baseline && typeof baseline === 'object' ? (baseline as Record<string, unknown>) : {};
    const out: [string, number | null, number][] = [];
    for (const [k, v] of Object.entries(observed as Record<string, unknown>)) {
      if (typeof v !== 'number') continue;
      const bv = typeof b[k] === 'number' ? (b[k] as number) : k === 'share' && typeof baseline === 'number' ? baseline : null;
      out.push([k, bv, v]);
    }
    return out;
  }
  return [];
}

function Compare({ baseline, observed }: { baseline: unknown; observed: unknown }): JSX.Element {
  const ps = pairs(baseline, observed);
  if (ps.length === 0) return <p class="muted">baseline {text(baseline) || '—'}, observed {text(observed) || '—'}</p>;
  return (
    <table class="compare" data-testid="anomaly-compare">
      <tbody>
        {ps.map(([k, b, o]) => {
          const max = Math.max(o, b ?? 0) || 1;
          return (
            <tr>
              <th scope="row">{k.replace(/_/g, ' ')}</th>
              <td class="bars">
                <div class="bar-row"><span class="bar-label muted">baseline</span><span class="track"><span class="bar baseline" style={{ width: `${b === null ? 0 : Math.max(1, (b / max) * 100)}%` }} /></span><span class="bar-val">{b === null ? 'none' : fmtNum(b)}</span></div>
                <div class="bar-row"><span class="bar-label muted">observed</span><span class="track"><span class="bar observed" style={{ width: `${Math.max(1, (o / max) * 100)}%` }} /></span><span class="bar-val">{fmtNum(o)}</span></div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
