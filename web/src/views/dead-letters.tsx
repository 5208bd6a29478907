// Dead letters: counts by reason, entries shown verbatim and safely (text nodes, control bytes made visible), replay.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, getJson, sendJson, type DeadLetter } from '../api';
import { fmtNum, fmtTime } from '../time';
import { useFetch } from '../use-fetch';

interface DlqAnswer { counts: Record<string, number>; entries: DeadLetter[] }
interface ReplayAnswer { replayed: number; failed: number; records: number; stoppedEarly: boolean }

/** Raw text with control characters (other than newline and tab) shown as \xNN in a marked span. */
export function Verbatim({ text }: { text: string }): JSX.Element {
  const parts: JSX.Element[] = [];
  let plain = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c < 0x20 && ch !== '\n' && ch !== '\t') || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      if (plain) { parts.push(<>{plain}</>); plain = ''; }
      parts.push(<span class="ctl" title={`U+${c.toString(16).toUpperCase().padStart(4, '0')}`}>{c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`}</span>);
    } else plain += ch;
  }
  if (plain) parts.push(<>{plain}</>);
  return <>{parts}</>;
}

function hexDump(b64: string): string {
  const bin = atob(b64);
  const lines: string[] = [];
  for (let i = 0; i < bin.length && i < 4096; i += 16) {
    const chunk = bin.slice(i, i + 16);
    const hex = [...chunk].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
    const asc = [...chunk].map((c) => { const n = c.charCodeAt(0); return n >= 0x20 && n < 0x7f ? c : '.'; }).join('');
    lines.push(`${i.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${asc}`);
  }
  return lines.join('\n');
}

export function DeadLettersView(): JSX.Element {
  const [reason, setReason] = useState('');
  const [showReplayed, setShowReplayed] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const { data, error, loading, reload } = useFetch((s) => getJson<DlqAnswer>('/api/v1/dlq', { reason, all: showReplayed ? 'true' : undefined, limit: 200 }, s), [reason, showReplayed]);
  const replay = async (body: { ids?: string[]; reason?: string }) => {
    try {
      const r = await sendJson<ReplayAnswer>('POST', '/api/v1/dlq/replay', body);
      setMsg(`Replayed ${r.replayed} entr${r.replayed === 1 ? 'y' : 'ies'} (${r.records} records stored), ${r.failed} failed again${r.stoppedEarly ? '; stopped early: the write path is behind, try again' : ''}.`);
      reload();
    } catch (err) { setMsg(err instanceof ApiError ? err.message : String(err)); }
  };
  const counts = Object.entries(data?.counts ?? {}).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...counts.map(([, n]) => n));
  return (
    <section class="view" aria-label="Dead letters">
      <div class="view-head"><h1>Dead letters</h1>
        <label class="toggle"><input type="checkbox" checked={showReplayed} onChange={(e) => setShowReplayed(e.currentTarget.checked)} /> include replayed</label>
      </div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {msg ? <div class="note" role="status" data-testid="dlq-message">{msg}</div> : null}
      {loading && !data ? <p class="muted">loading…</p> : null}
      {data && counts.length === 0 ? <p class="empty">No dead letters: every line became a record.</p> : null}
      {counts.length > 0 ? (
        <div class="reasons card" data-testid="dlq-counts">
          {counts.map(([r, n]) => (
            <div class={`reason-row ${reason === r ? 'on' : ''}`}>
              <button type="button" class="link mono" aria-pressed={reason === r} onClick={() => setReason(reason === r ? '' : r)}>{r}</button>
              <span class="bar observed" style={{ width: `${Math.max(1, (n / max) * 60)}%` }} />
              <span class="num">{fmtNum(n)}</span>
              <button type="button" class="btn small" onClick={() => void replay({ reason: r })}>Replay all</button>
            </div>
          ))}
        </div>
      ) : null}
      {data && data.entries.length > 0 ? (
        <div class="table-wrap">
          <table class="data dlq" data-testid="dlq-entries">
            <thead><tr><th scope="col">received</th><th scope="col">reason</th><th scope="col">source</th><th scope="col">error</th><th scope="col">raw</th><th scope="col" /></tr></thead>
            <tbody>{data.entries.map((e) => (
              <>
                <tr data-dlq={e.id}>
                  <td class="nowrap">{fmtTime(e.received_at)}</td>
                  <td class="mono">{e.reason}</td>
                  <td>{e.source}</td>
                  <td class="desc">{e.error}</td>
                  <td class="raw-cell"><button type="button" class="link mono raw-preview" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                    {e.raw_text !== null ? <Verbatim text={e.raw_text.length > 120 ? `${e.raw_text.slice(0, 120)}…` : e.raw_text} /> : `${fmtNum(e.size)} bytes, not UTF-8`}
                  </button></td>
                  <td class="nowrap">{e.replayed_at ? <span class="pill ok">replayed</span> : null}
                    <button type="button" class="btn small" disabled={e.original_bytes > e.size} title={e.original_bytes > e.size ? 'kept cut: cannot be replayed' : 'run the raw bytes through the current configuration'} onClick={() => void replay({ ids: [e.id] })}>Replay</button></td>
                </tr>
                {open === e.id ? (
                  <tr class="expanded"><td colSpan={6}>
                    <div class="muted small">{fmtNum(e.size)} bytes{e.original_bytes > e.size ? ` kept of ${fmtNum(e.original_bytes)}` : ''} · id {e.id}{e.service_hint ? ` · service hint ${e.service_hint}` : ''} · replayed {e.replay_count}×</div>
                    <pre class="raw" data-testid="dlq-raw">{e.raw_text !== null ? <Verbatim text={e.raw_text} /> : hexDump(e.raw_base64)}</pre>
                  </td></tr>
                ) : null}
              </>
            ))}</tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
