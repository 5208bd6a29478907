// Alerts: firing and resolved alerts, the rules, delivery status per receiver, and silences (create from an alert, expire).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, getJson, matcherText, sendJson, type AlertEntry, type Delivery, type Silence } from '../api';
import type { Route } from '../router';
import { ago, fmtTime } from '../time';
import { useFetch } from '../use-fetch';

interface RuleEntry { source: string; kind: string; rule: Record<string, unknown> }

async function load(signal: AbortSignal) {
  const [alerts, rules, deliveries, silences] = await Promise.all([
    getJson<{ alerts: AlertEntry[] }>('/api/v1/alerts', {}, signal),
    getJson<{ rules: RuleEntry[] }>('/api/v1/alerts/rules', {}, signal),
    getJson<{ deliveries: Delivery[]; pending: number }>('/api/v1/alerts/deliveries', { limit: 200 }, signal),
    getJson<{ silences: Silence[] }>('/api/v1/silences', {}, signal),
  ]);
  return { alerts: alerts.alerts, rules: rules.rules, deliveries: deliveries.deliveries, pending: deliveries.pending, silences: silences.silences };
}

/** `a="x, y", b=~"z"` to its matchers: commas inside quotes belong to the value. */
export function splitMatchers(text: string): string[] {
  const out: string[] = [];
  let cur = '', inQ = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && inQ) { cur += c + (text[i + 1] ?? ''); i++; continue; }
    if (c === '"') inQ = !inQ;
    if (c === ',' && !inQ) { if (cur.trim()) out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** An alert's link points at <externalURL>/#/search?...: keep the route, drop the host (it may name another address). */
function internalLink(url: string): string | null {
  const i = url.indexOf('#/');
  return i === -1 ? null : url.slice(i);
}

export function AlertsView(_: { route: Route }): JSX.Element {
  const { data, error, loading, reload } = useFetch(load, [], 15_000);
  const [draft, setDraft] = useState<{ matchers: string; hours: string; comment: string; createdBy: string } | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const off = error && /alerting is off/.test(error);

  const silenceFrom = (e: AlertEntry) => {
    const l = e.alert.labels;
    const ms = ['alertname', 'service'].filter((k) => l[k]).map((k) => `${k}="${(l[k] as string).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    setDraft({ matchers: ms.join(', '), hours: '2', comment: '', createdBy: '' });
    setMsg(null);
  };
  const create = async (ev: Event) => {
    ev.preventDefault();
    if (!draft) return;
    try {
      const endsAt = new Date(Date.now() + Number(draft.hours) * 3_600_000).toISOString();
      const matchers = splitMatchers(draft.matchers);
      const r = await sendJson<{ silence: Silence }>('POST', '/api/v1/silences', { matchers, endsAt, comment: draft.comment, createdBy: draft.createdBy || 'dashboard' });
      setMsg(`Silence ${r.silence.id} created, until ${fmtTime(r.silence.endsAt, false)}.`);
      setDraft(null);
      reload();
    } catch (err) { setMsg(err instanceof ApiError ? err.message : String(err)); }
  };
  const expire = async (s: Silence) => {
    try { await sendJson('DELETE', `/api/v1/silences/${encodeURIComponent(s.id)}`); setMsg(`Silence ${s.id} expired.`); reload(); } catch (err) { setMsg(err instanceof ApiError ? err.message : String(err)); }
  };

  const receivers = new Map<string, { delivered: number; pending: number; failed: number; last?: Delivery }>();
  for (const d of data?.deliveries ?? []) {
    const r = receivers.get(d.receiver) ?? { delivered: 0, pending: 0, failed: 0 };
    if (d.state === 'delivered') r.delivered++; else if (d.state === 'failed') r.failed++; else r.pending++;
    if (!r.last) r.last = d;
    receivers.set(d.receiver, r);
  }

  return (
    <section class="view" aria-label="Alerts">
      <div class="view-head"><h1>Alerts</h1>
        <button type="button" class="btn" onClick={() => { setDraft({ matchers: '', hours: '2', comment: '', createdBy: '' }); setMsg(null); }}>New silence</button>
      </div>
      {off ? <p class="empty">Alerting is off: configure <code>alerting.receivers</code> (and rules) to turn it on. See docs/alerting.md.</p> : error ? <div class="error-box" role="alert">{error}</div> : null}
      {msg ? <div class="note" role="status" data-testid="alerts-message">{msg}</div> : null}
      {draft ? (
        <form class="card silence-form" onSubmit={create} aria-label="new silence" data-testid="silence-form">
          <h2>New silence</h2>
          <label>Matchers <input type="text" value={draft.matchers} required placeholder='service="api", alertname="high-errors"' onInput={(e) => setDraft({ ...draft, matchers: e.currentTarget.value })} /></label>
          <label>For (hours) <input type="number" min="0.1" step="0.1" value={draft.hours} required onInput={(e) => setDraft({ ...draft, hours: e.currentTarget.value })} /></label>
          <label>Comment <input type="text" value={draft.comment} required onInput={(e) => setDraft({ ...draft, comment: e.currentTarget.value })} /></label>
          <label>Created by <input type="text" value={draft.createdBy} placeholder="dashboard" onInput={(e) => setDraft({ ...draft, createdBy: e.currentTarget.value })} /></label>
          <div class="actions"><button class="btn primary" type="submit">Create silence</button><button class="btn" type="button" onClick={() => setDraft(null)}>Cancel</button></div>
        </form>
      ) : null}
      {loading && !data && !error ? <p class="muted">loading…</p> : null}
      {data ? (
        <>
          <h2>Alerts</h2>
          {data.alerts.length === 0 ? <p class="empty">No alerts.</p> : (
            <div class="table-wrap"><table class="data" data-testid="alerts">
              <thead><tr><th scope="col">alert</th><th scope="col">service</th><th scope="col">severity</th><th scope="col">status</th><th scope="col">since</th><th scope="col">description</th><th scope="col">actions</th></tr></thead>
              <tbody>{data.alerts.map((e) => {
                const link = internalLink(e.alert.generatorURL);
                return (
                  <tr>
                    <td>{e.alert.labels.alertname}</td>
                    <td>{e.alert.labels.service ?? '—'}</td>
                    <td>{e.alert.labels.severity ? <span class={`pill sev-${e.alert.labels.severity}`}>{e.alert.labels.severity}</span> : '—'}</td>
                    <td><span class={`pill ${e.alert.status === 'firing' ? 'sev-high' : 'ok'}`}>{e.alert.status}</span>{e.state === 'suppressed' ? <span class="pill muted-pill" title={[...e.silencedBy, ...e.inhibitedBy].join(', ')}>{e.silencedBy.length ? 'silenced' : 'inhibited'}</span> : null}</td>
                    <td class="nowrap">{fmtTime(e.alert.startsAt, false)}{e.alert.endsAt ? <span class="muted"> → {fmtTime(e.alert.endsAt, false)}</span> : null}</td>
                    <td class="desc">{e.alert.annotations.description ?? e.alert.annotations.summary ?? ''}</td>
                    <td class="nowrap">
                      {link ? <a class="btn small" href={link.replace(/^#\/search/, '#/search')}>Logs</a> : null}
                      <button type="button" class="btn small" onClick={() => silenceFrom(e)}>Silence…</button>
                    </td>
                  </tr>
                );
              })}</tbody>
            </table></div>
          )}
          <h2>Silences</h2>
          {data.silences.length === 0 ? <p class="empty">No silences.</p> : (
            <div class="table-wrap"><table class="data" data-testid="silences">
              <thead><tr><th scope="col">id</th><th scope="col">state</th><th scope="col">matchers</th><th scope="col">ends</th><th scope="col">comment</th><th scope="col">by</th><th scope="col" /></tr></thead>
              <tbody>{data.silences.map((s) => (
                <tr data-silence={s.id}>
                  <td class="mono">{s.id.slice(0, 8)}</td>
                  <td><span class={`pill ${s.state === 'active' ? 'sev-medium' : 'muted-pill'}`}>{s.state}</span></td>
                  <td class="mono">{s.matchers.map(matcherText).join(', ')}</td>
                  <td class="nowrap">{fmtTime(s.endsAt, false)}</td>
                  <td>{s.comment}</td>
                  <td>{s.createdBy}</td>
                  <td>{s.state !== 'expired' ? <button type="button" class="btn small" onClick={() => void expire(s)}>Expire</button> : null}</td>
                </tr>
              ))}</tbody>
            </table></div>
          )}
          <h2>Delivery by receiver</h2>
          {receivers.size === 0 ? <p class="empty">Nothing sent yet{data.pending ? ` (${data.pending} pending)` : ''}.</p> : (
            <div class="table-wrap"><table class="data" data-testid="receivers">
              <thead><tr><th scope="col">receiver</th><th scope="col" class="num">delivered</th><th scope="col" class="num">pending</th><th scope="col" class="num">failed</th><th scope="col">last</th><th scope="col">last error</th></tr></thead>
              <tbody>{[...receivers].map(([name, r]) => {
                const lastAttempt = r.last?.attempts[r.last.attempts.length - 1];
                const lastErr = [...(r.last?.attempts ?? [])].reverse().find((x) => !x.ok)?.error;
                return (
                  <tr>
                    <td>{name}</td><td class="num">{r.delivered}</td><td class="num">{r.pending}</td><td class={`num ${r.failed ? 'down' : ''}`}>{r.failed}</td>
                    <td>{r.last ? <><span class={`pill ${r.last.state === 'delivered' ? 'ok' : r.last.state === 'failed' ? 'sev-high' : 'sev-medium'}`}>{r.last.state}</span> <span class="muted">{ago(lastAttempt?.at ?? r.last.queuedAt)}, {r.last.attempts.length} attempt(s)</span></> : '—'}</td>
                    <td class="muted">{lastErr ?? ''}</td>
                  </tr>
                );
              })}</tbody>
            </table></div>
          )}
          <h2>Rules</h2>
          {data.rules.length === 0 ? <p class="empty">No rules.</p> : (
            <div class="table-wrap"><table class="data" data-testid="rules">
              <thead><tr><th scope="col">name</th><th scope="col">kind</th><th scope="col">source</th><th scope="col">definition</th></tr></thead>
              <tbody>{data.rules.map((r) => (
                <tr><td>{String(r.rule.name)}</td><td>{r.kind}</td><td>{r.source}</td><td class="mono small">{JSON.stringify(Object.fromEntries(Object.entries(r.rule).filter(([k]) => k !== 'name')))}</td></tr>
              ))}</tbody>
            </table></div>
          )}
        </>
      ) : null}
    </section>
  );
}
