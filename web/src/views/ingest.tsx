// Ingest: every source with its rate, accepted and rejected counts (GET /api/v1/sources, else parsed from /metrics).
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, getText, type SourceInfo } from '../api';
import { Sparkline } from '../components/sparkline';
import { fmtNum } from '../time';

const POLL_MS = 5000;
const HISTORY = 36;

/** Prometheus text to per-source counters: ingested, rejected (by reason) and bytes. */
export function sourcesFromMetrics(text: string): SourceInfo[] {
  const by = new Map<string, SourceInfo>();
  const get = (name: string) => {
    let s = by.get(name);
    if (!s) { s = { name, type: name, received: 0, accepted: 0, rejected: 0, rejected_by_reason: {}, bytes: 0 }; by.set(name, s); }
    return s;
  };
  const re = /^(logsift_ingested_records_total|logsift_rejected_records_total|logsift_ingest_bytes_total)\{([^}]*)\}\s+([0-9.eE+-]+)$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const s = get(labels.source ?? 'unknown');
    const v = Number(m[3]);
    if (m[1] === 'logsift_ingested_records_total') s.accepted += v;
    else if (m[1] === 'logsift_ingest_bytes_total') s.bytes += v;
    else { s.rejected += v; const r = labels.reason ?? 'unknown'; s.rejected_by_reason[r] = (s.rejected_by_reason[r] ?? 0) + v; }
  }
  for (const s of by.values()) s.received = s.accepted + s.rejected;
  return [...by.values()].sort((a, b) => b.received - a.received);
}

async function loadSources(): Promise<{ sources: SourceInfo[]; via: string }> {
  try {
    const r = await getJson<{ sources: SourceInfo[] }>('/api/v1/sources');
    return { sources: r.sources, via: '/api/v1/sources' };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    const m = await getText('/metrics');
    if (m.status !== 200) throw new ApiError(m.status, 'http_error', `GET /metrics answered ${m.status}`);
    return { sources: sourcesFromMetrics(m.text), via: '/metrics' };
  }
}

interface Sample { at: number; sources: SourceInfo[] }

export function IngestView(): JSX.Element {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [via, setVia] = useState('');
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    let t: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await loadSources();
        if (!alive.current) return;
        setVia(r.via); setError(null);
        setSamples((prev) => [...prev, { at: Date.now(), sources: r.sources }].slice(-HISTORY));
      } catch (err) { if (alive.current) setError(err instanceof Error ? err.message : String(err)); }
      if (alive.current) t = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => { alive.current = false; if (t) clearTimeout(t); };
  }, []);
  const last = samples[samples.length - 1];
  const rateOf = (name: string): number[] => {
    const out: number[] = [];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1] as Sample, b = samples[i] as Sample;
      const x = a.sources.find((s) => s.name === name), y = b.sources.find((s) => s.name === name);
      out.push(x && y ? Math.max(0, (y.received - x.received) / ((b.at - a.at) / 1000)) : 0);
    }
    return out;
  };
  return (
    <section class="view" aria-label="Ingest">
      <div class="view-head"><h1>Ingest</h1><span class="muted small">{via ? `from ${via}, every ${POLL_MS / 1000} s` : ''}</span></div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {!last && !error ? <p class="muted">loading…</p> : null}
      {last && last.sources.length === 0 ? <p class="empty">Nothing received yet. Send logs with <code>POST /api/v1/logs</code> or <code>logsift ingest</code>.</p> : null}
      {last && last.sources.length > 0 ? (
        <div class="table-wrap">
          <table class="data" data-testid="sources">
            <thead><tr><th scope="col">source</th><th scope="col">type</th><th scope="col" class="num">lines/s</th><th scope="col">rate</th><th scope="col" class="num">accepted</th><th scope="col" class="num">rejected</th><th scope="col">rejected by reason</th><th scope="col" class="num">bytes</th></tr></thead>
            <tbody>{last.sources.map((s) => {
              const rates = rateOf(s.name);
              return (
                <tr>
                  <th scope="row">{s.name}</th>
                  <td>{s.type}</td>
                  <td class="num">{rates.length ? fmtNum(rates[rates.length - 1]) : '…'}</td>
                  <td><Sparkline values={rates.length ? rates : [0]} label={`${s.name} lines per second`} /></td>
                  <td class="num">{fmtNum(s.accepted)}</td>
                  <td class={`num ${s.rejected ? 'down' : ''}`}>{fmtNum(s.rejected)}</td>
                  <td class="mono small">{Object.entries(s.rejected_by_reason).map(([r, n]) => `${r} ${fmtNum(n)}`).join(', ') || '—'}</td>
                  <td class="num">{fmtNum(s.bytes)}</td>
                </tr>
              );
            })}</tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
