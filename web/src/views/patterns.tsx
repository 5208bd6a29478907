// Patterns: log templates per service with counts, change against the range before, sparklines and new ones flagged.
import type { JSX } from 'preact';
import { getJson, query, type PatternRow } from '../api';
import { Sparkline } from '../components/sparkline';
import { TimePicker } from '../components/time-picker';
import { href, navigate, type Route } from '../router';
import { ago, fmtNum, iso, rangeFromParams, rangeParams, resolveRange } from '../time';
import { useFetch } from '../use-fetch';

interface PatternsAnswer { templates: PatternRow[]; bucket_seconds: number; took_ms: number }

export function PatternsView({ route }: { route: Route }): JSX.Element {
  const p = route.params;
  const range = rangeFromParams(p, '1h');
  const service = p.get('service') ?? '';
  const sort = p.get('sort') ?? 'change';
  const set = (changes: Record<string, string | undefined>) => navigate(href('patterns', { service, sort, ...rangeParams(range), ...changes }), true);
  const services = useFetch((s) => query('* | top 200 service', { start: iso(Date.now() - 86_400_000) }, s).then((r) => r.rows.map((x) => String(x.service)).sort()), []);
  const { data, error, loading } = useFetch((s) => {
    const { startMs, endMs } = resolveRange(range);
    return getJson<PatternsAnswer>('/api/v1/patterns', { service, sort, from: iso(startMs), to: iso(endMs), limit: 200, buckets: 24 }, s);
  }, [p.toString()], 60_000);
  const { startMs, endMs } = resolveRange(range);
  return (
    <section class="view" aria-label="Patterns">
      <div class="view-head">
        <h1>Patterns</h1>
        <label>Service <select value={service} onChange={(e) => set({ service: e.currentTarget.value })}>
          <option value="">all services</option>
          {(services.data ?? []).map((s) => <option value={s}>{s}</option>)}
        </select></label>
        <label>Sort <select value={sort} onChange={(e) => set({ sort: e.currentTarget.value })}>
          <option value="change">largest change</option><option value="newest">newest</option><option value="count">most records</option>
        </select></label>
        <TimePicker range={range} onChange={(r) => set({ range: undefined, start: undefined, end: undefined, ...rangeParams(r) })} />
      </div>
      {error ? <div class="error-box" role="alert">{error}</div> : null}
      {loading && !data ? <p class="muted">loading…</p> : null}
      {data && data.templates.length === 0 ? <p class="empty">No templates with records in this range.</p> : null}
      {data && data.templates.length > 0 ? (
        <div class="table-wrap">
          <table class="data patterns" data-testid="patterns">
            <thead><tr><th scope="col">template</th><th scope="col">service</th><th scope="col" class="num">count</th><th scope="col" class="num">change</th><th scope="col">trend</th><th scope="col">last seen</th></tr></thead>
            <tbody>
              {data.templates.map((t) => (
                <tr>
                  <td class="template-cell">
                    {t.new ? <span class="pill sev-medium">new</span> : null}
                    <a class="mono" href={href('search', { q: `template:${t.template_id}`, start: iso(startMs), end: iso(endMs) })} title="search the records of this template">{t.template}</a>
                  </td>
                  <td>{t.service}</td>
                  <td class="num">{fmtNum(t.count)}</td>
                  <td class={`num ${t.change > 0.5 ? 'up' : t.change < -0.5 ? 'down' : ''}`}>{t.change === -1 ? 'stopped' : t.previous_count === 0 ? 'new' : `${t.change >= 0 ? '+' : ''}${Math.round(t.change * 100)}%`}</td>
                  <td><Sparkline values={t.sparkline} label={`${t.template} per ${data.bucket_seconds}s`} /></td>
                  <td class="muted">{ago(t.last_seen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
