// One record opened: every field, its metadata, its template, and links to the lines around it and to its template.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { query, quote, type Row } from '../api';
import { href } from '../router';
import { fmtTime, iso } from '../time';
import { Highlight } from './highlight';

const SHOWN = ['timestamp', 'level', 'service', 'host', 'user_id', 'ip_address', 'trace_id', 'span_id', 'source', 'template_id', 'received_at', 'id', 'lsn'];

/** The search for the lines around a record: the same service, a minute either side, focused on the record. */
export function aroundHref(row: Row, spanMs = 60_000): string {
  const t = new Date(String(row.timestamp)).getTime();
  const service = row.service ? `service:${quote(String(row.service))}` : '';
  return href('search', { q: service, start: iso(t - spanMs), end: iso(t + spanMs), focus: String(row.id ?? '') });
}

export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The whole record: the table holds only the columns it shows. Looked up by id within a second of its time. */
async function fullRecord(row: Row, signal: AbortSignal): Promise<Row> {
  if (typeof row.id !== 'string') return row;
  const t = new Date(String(row.timestamp)).getTime();
  if (Number.isNaN(t)) return row;
  const r = await query(`id:${quote(row.id)} | limit 1`, { start: iso(t - 1000), end: iso(t + 1000) }, signal);
  return r.rows[0] ?? row;
}

export function RecordDetail({ row: shown, terms, onClose }: { row: Row; terms: string[]; onClose: () => void }): JSX.Element {
  const [row, setRow] = useState<Row>(shown);
  useEffect(() => {
    setRow(shown);
    const ctl = new AbortController();
    fullRecord(shown, ctl.signal).then(setRow).catch(() => undefined);
    return () => ctl.abort();
  }, [shown]);
  const [template, setTemplate] = useState<string | null>(null);
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => { closeBtn.current?.focus(); }, [shown]);
  useEffect(() => {
    setTemplate(null);
    const id = row.template_id;
    if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id)) return;
    const t = new Date(String(row.timestamp)).getTime();
    const ctl = new AbortController();
    query(`template:${id} | patterns buckets 1 | limit 1`, { start: iso(t - 1000), end: iso(t + 1000) }, ctl.signal)
      .then((r) => setTemplate(text(r.rows[0]?.template ?? null) || null)).catch(() => undefined);
    return () => ctl.abort();
  }, [row.template_id]);
  const metadata = row.metadata && typeof row.metadata === 'object' ? JSON.stringify(row.metadata, null, 2) : text(row.metadata);
  return (
    <aside class="record-detail card" aria-label="record" data-testid="record-detail"
      onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); onClose(); } }}>
      <header>
        <h2>Record</h2>
        <button ref={closeBtn} type="button" class="btn ghost" onClick={onClose} aria-label="close record (Esc)">✕</button>
      </header>
      <pre class="message-full" data-testid="record-message"><Highlight text={text(row.message)} terms={terms} /></pre>
      <div class="actions">
        <a class="btn" href={aroundHref(row)}>Show the lines around this one</a>
        {typeof row.template_id === 'string' ? <a class="btn" href={href('search', { q: `template:${row.template_id}`, range: '24h' })}>All records of this template</a> : null}
      </div>
      <table class="kv">
        <tbody>
          {SHOWN.filter((k) => row[k] !== null && row[k] !== undefined).map((k) => (
            <tr><th scope="row">{k}</th><td>{k === 'timestamp' || k === 'received_at' ? `${fmtTime(row[k])} (${text(row[k])})` : text(row[k])}</td></tr>
          ))}
          {template ? <tr><th scope="row">template</th><td class="mono">{template}</td></tr> : null}
        </tbody>
      </table>
      {metadata && metadata !== '{}' ? (<><h3>metadata</h3><pre class="metadata">{metadata}</pre></>) : null}
    </aside>
  );
}
