// Live tail over fetch streaming (server-sent events read from a ReadableStream), so the API key goes in a header.
import { apiFetch, type Row } from './api';

export interface TailHandlers { onRows: (rows: Row[]) => void; onState: (s: 'connecting' | 'live' | 'closed' | 'error', message?: string) => void }

/** Follows new records matching `q` until `signal` aborts; reconnects after the cursor it last saw. */
export async function liveTail(q: string, h: TailHandlers, signal: AbortSignal): Promise<void> {
  let after: number | undefined;
  let failures = 0;
  while (!signal.aborted) {
    h.onState('connecting');
    try {
      const qs = new URLSearchParams({ q });
      if (after !== undefined) qs.set('after', String(after));
      const res = await apiFetch(`/api/v1/tail/stream?${qs.toString()}`, { signal, headers: { accept: 'text/event-stream' } });
      if (!res.ok || !res.body) {
        const body = await res.text();
        let msg = `HTTP ${res.status}`;
        try { msg = (JSON.parse(body) as { error: { message: string } }).error.message; } catch { /* not JSON */ }
        h.onState('error', msg);
        if (res.status === 400) return;
        throw new Error(msg);
      }
      h.onState('live');
      failures = 0;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let name = 'message', data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) name = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          const payload = JSON.parse(data) as { rows?: Row[]; next?: number; message?: string };
          if (typeof payload.next === 'number') after = payload.next;
          if (name === 'rows' && payload.rows) h.onRows(payload.rows);
          if (name === 'error') h.onState('error', payload.message);
        }
      }
    } catch (err) {
      if (signal.aborted) break;
      failures++;
      h.onState('error', err instanceof Error ? err.message : String(err));
    }
    if (signal.aborted) break;
    await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** failures)));
  }
  h.onState('closed');
}
