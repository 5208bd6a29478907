// Search: query box, time picker, histogram stacked by level (drag to zoom), virtualized results, record detail, live tail.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, query, type QueryResult, type Row } from '../api';
import { Histogram, type HistogramData } from '../components/histogram';
import { Highlight, searchTerms } from '../components/highlight';
import { QueryBox, type CompletionSource } from '../components/query-box';
import { RecordDetail, text } from '../components/record-detail';
import { TimePicker } from '../components/time-picker';
import { VirtualList } from '../components/virtual-list';
import { liveTail } from '../live-tail';
import { href, navigate, type Route } from '../router';
import { bucketFor, fmtNum, fmtTime, iso, rangeFromParams, rangeParams, resolveRange, type TimeRange } from '../time';

const ROW_HEIGHT = 30;
const RESULT_LIMIT = 1000;
const ROW_FIELDS = 'id, timestamp, level, service, message, template_id';
const TAIL_KEEP = 5000;
let firstResultsMarked = false;

/** The start of the newest buckets that together hold at least `limit` matches (the range's start if none do). */
export function rowsFrom(rows: HistogramData['rows'], startMs: number, limit: number): number {
  const perBucket = new Map<number, number>();
  for (const r of rows) { const t = new Date(r.bucket).getTime(); perBucket.set(t, (perBucket.get(t) ?? 0) + Number(r.count)); }
  let n = 0;
  for (const t of [...perBucket.keys()].sort((a, b) => b - a)) {
    n += perBucket.get(t) ?? 0;
    if (n >= limit) return Math.max(startMs, t);
  }
  return startMs;
}

function hasPipe(q: string): boolean {
  // A "|" outside quotes starts a pipe.
  let inQ = false;
  for (let i = 0; i < q.length; i++) { if (q[i] === '"' && q[i - 1] !== '\\') inQ = !inQ; else if (q[i] === '|' && !inQ) return true; }
  return false;
}

export function SearchView({ route }: { route: Route }): JSX.Element {
  const q = route.params.get('q') ?? '';
  const range = rangeFromParams(route.params);
  const focusId = route.params.get('focus') ?? undefined;
  const [draft, setDraft] = useState(q);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [hist, setHist] = useState<HistogramData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState(-1);
  const [open, setOpen] = useState<Row | null>(null);
  const [tail, setTail] = useState(false);
  const [tailState, setTailState] = useState('');
  const [tailRows, setTailRows] = useState<Row[]>([]);
  const [services, setServices] = useState<string[]>([]);
  const listRef = useRef<HTMLDivElement>(null);
  const terms = useMemo(() => searchTerms(q), [q]);
  // Searching again for the same thing (Enter, the Search button) re-runs it: a relative range ends at a new "now".
  const [nonce, setNonce] = useState(0);
  const key = `${q}|${route.params.get('range') ?? ''}|${route.params.get('start') ?? ''}|${route.params.get('end') ?? ''}|${nonce}`;

  useEffect(() => setDraft(q), [q]);

  const go = (nq: string, r: TimeRange = range, extra: Record<string, string | undefined> = {}) => {
    const to = href('search', { q: nq, ...rangeParams(r), ...extra });
    if (to === location.hash) setNonce((n) => n + 1);
    else navigate(to);
  };

  // Services for completion: asked for when the query box is first used, so they never delay the first results.
  const [wantServices, setWantServices] = useState(false);
  useEffect(() => {
    if (!wantServices) return;
    const ctl = new AbortController();
    query('* | top 200 service', { start: iso(Date.now() - 86_400_000) }, ctl.signal)
      .then((r) => setServices(r.rows.map((x) => String(x.service)).filter(Boolean).sort())).catch(() => undefined);
    return () => ctl.abort();
  }, [wantServices]);

  useEffect(() => {
    const ctl = new AbortController();
    const { startMs, endMs } = resolveRange(range);
    const start = iso(startMs), end = iso(endMs);
    setLoading(true); setError(null); setSelected(-1); setOpen(null); setTailRows([]);
    const piped = hasPipe(q);
    const bucket = bucketFor(endMs - startMs);
    // The histogram comes first (one cheap aggregate); its counts say how far back the newest RESULT_LIMIT matches
    // reach, so the rows query only reads those last buckets instead of sorting the whole range. Only the columns
    // the table shows are fetched: the full record is fetched when one is opened. On 10M records (an hour holding
    // 430k matches) this made the first screen's queries several times faster.
    const histo = piped ? Promise.resolve(null) : query(`${q} | histogram ${bucket.label} by level`, { start, end }, ctl.signal);
    const main = histo.then((h) => {
      const from = h ? rowsFrom(h.rows as HistogramData['rows'], startMs, RESULT_LIMIT) : startMs;
      return query(piped ? q : `${q} | limit ${RESULT_LIMIT} | fields ${ROW_FIELDS}`, { start: iso(from), end }, ctl.signal);
    });
    // Both shown together: the histogram alone would flash before its rows.
    Promise.all([main, histo]).then(([r, h]) => {
      if (!firstResultsMarked) performance.mark('logsift:first-answers');
      setResult(r);
      setOpen(null);
      setHist(h ? { startMs, endMs, bucketMs: bucket.ms, rows: h.rows as HistogramData['rows'] } : null);
      if (focusId) {
        const i = r.rows.findIndex((row) => row.id === focusId);
        if (i >= 0) { setSelected(i); }
      }
      setLoading(false);
    }).catch((err: unknown) => {
      if (ctl.signal.aborted) return;
      setError(err instanceof ApiError ? err.message : String(err));
      setResult(null); setHist(null); setLoading(false);
    });
    return () => ctl.abort();
  }, [key]);

  // The benchmark's "first screen" mark: the first time results are on screen.
  useEffect(() => {
    if (result && !firstResultsMarked) {
      firstResultsMarked = true;
      requestAnimationFrame(() => performance.mark('logsift:first-results'));
    }
  }, [result]);

  useEffect(() => {
    if (!tail) { setTailState(''); return; }
    const ctl = new AbortController();
    void liveTail(q, {
      onRows: (rows) => setTailRows((prev) => [...rows.reverse(), ...prev].slice(0, TAIL_KEEP)),
      onState: (s, m) => setTailState(m ? `${s}: ${m}` : s),
    }, ctl.signal);
    return () => ctl.abort();
  }, [tail, q]);

  const rows = useMemo(() => (result?.kind === 'rows' ? [...tailRows, ...result.rows] : []), [result, tailRows]);
  // Metadata keys for completion, from a sample of the range's records, asked for with the services.
  const [metadataKeys, setMetadataKeys] = useState<string[]>([]);
  useEffect(() => {
    if (!wantServices) return;
    const ctl = new AbortController();
    const { startMs, endMs } = resolveRange(range);
    query(`${hasPipe(q) ? '' : q} | limit 200 | fields metadata`, { start: iso(startMs), end: iso(endMs) }, ctl.signal).then((r) => {
      const keys = new Set<string>();
      for (const row of r.rows) if (row.metadata && typeof row.metadata === 'object') for (const k of Object.keys(row.metadata as object)) keys.add(k);
      setMetadataKeys([...keys].sort());
    }).catch(() => undefined);
    return () => ctl.abort();
  }, [wantServices, key]);
  const { startMs, endMs } = resolveRange(range);
  const source: CompletionSource = { services, metadataKeys, range: { start: iso(startMs), end: iso(endMs) } };

  const onListKey = (e: KeyboardEvent) => {
    if (rows.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); setSelected((s) => Math.min(rows.length - 1, s + 1)); }
    else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); setSelected((s) => Math.max(0, s - 1)); }
    else if (e.key === 'Home') { e.preventDefault(); setSelected(0); }
    else if (e.key === 'End') { e.preventDefault(); setSelected(rows.length - 1); }
    else if (e.key === 'Enter' || e.key === 'o') { e.preventDefault(); const r = rows[selected]; if (r) setOpen(r); }
    else if (e.key === 'Escape') { setOpen(null); }
  };

  const total = hist ? hist.rows.reduce((a, r) => a + Number(r.count), 0) : undefined;
  return (
    <section class="view search-view" aria-label="Search">
      <div class="toolbar">
        <QueryBox value={draft} onChange={setDraft} onSubmit={(v) => go(v)} source={source} onFocus={() => setWantServices(true)} />
      </div>
      <div class="toolbar secondary">
        <TimePicker range={range} onChange={(r) => go(q, r)} />
        <label class="toggle">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.currentTarget.checked)} disabled={hasPipe(q)} />
          <span>Live tail</span>
          {tail ? <span class={`tail-state ${tailState.startsWith('live') ? 'ok' : ''}`} aria-live="polite">{tailState}</span> : null}
        </label>
      </div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {hist ? <Histogram data={hist} onZoom={(a, b) => go(q, { start: iso(a), end: iso(b) })} /> : null}
      <div class="results-head">
        {loading ? <span class="muted">searching…</span> : result ? (
          <span class="muted" data-testid="result-summary">
            {result.kind === 'rows'
              ? `${fmtNum(rows.length)} shown${total !== undefined ? ` of ${fmtNum(total)} matches` : ''}${tailRows.length ? ` (${tailRows.length} live)` : ''} · newest first · ${result.took_ms} ms`
              : `${result.kind}: ${result.rows.length} rows · ${result.took_ms} ms`}
          </span>
        ) : null}
        <span class="muted hint">↑↓ or j/k to move · Enter to open · Esc to close</span>
      </div>
      <div class={`results ${open ? 'with-detail' : ''} ${loading ? 'stale' : ''}`} ref={listRef} aria-busy={loading}>
        {result && result.kind !== 'rows' ? <GenericTable result={result} /> : (
          <VirtualList items={rows} rowHeight={ROW_HEIGHT} selected={selected} label="search results" onKey={onListKey}
            render={(r, i) => (
              <div role="row" class={`row ${i === selected ? 'selected' : ''} ${r.id === focusId ? 'focused' : ''}`} data-testid="result-row" data-id={text(r.id)}
                aria-selected={i === selected} onClick={() => { setSelected(i); setOpen(r); }}>
                <span role="gridcell" class="c-time"><TimeCell v={r.timestamp} /></span>
                <span role="gridcell" class="c-level"><span class={`badge lvl-${String(r.level ?? 'other').toLowerCase()}`}>{text(r.level) || '—'}</span></span>
                <span role="gridcell" class="c-service">{text(r.service)}</span>
                <span role="gridcell" class="c-message"><Highlight text={text(r.message)} terms={terms} /></span>
              </div>
            )} />
        )}
        {open ? <RecordDetail row={open} terms={terms} onClose={() => { setOpen(null); listRef.current?.querySelector<HTMLElement>('.vlist')?.focus(); }} /> : null}
      </div>
    </section>
  );
}

/** Date and time; the date is hidden on narrow windows. */
function TimeCell({ v }: { v: unknown }): JSX.Element {
  const t = fmtTime(v);
  const cut = t.indexOf(' ');
  return cut === -1 ? <>{t}</> : <><span class="date">{t.slice(0, cut + 1)}</span>{t.slice(cut + 1)}</>;
}

function GenericTable({ result }: { result: QueryResult }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="data">
        <thead><tr>{result.columns.map((c) => <th scope="col">{c}</th>)}</tr></thead>
        <tbody>{result.rows.map((r) => <tr>{result.columns.map((c) => <td>{text(r[c])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}
