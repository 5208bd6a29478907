// `logsift rules test <file> [--from 24h] [--to T] [--url U]`: backtests alert rules against the logs a server stored:
// anomaly rules over the anomalies the detectors find when they replay the range, query rules by evaluating the query
// at every step of the range. Prints what would have fired and when, and resolved.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { api, defaultUrl } from './client.js';
import { configFromFlags } from './serve.js';
import { ConfigError, errorMessage } from '../errors.js';
import { resolveConfig } from '../config.js';
import { replayStored } from '../detect/replay.js';
import { checkRules, matches, type AnomalyRule } from '../alert/rules.js';
import { QueryRuleRunner, checkAggregateQuery, parseQueryRules } from '../alert/query-rules.js';
import type { Alert } from '../alert/model.js';
import { renderTable } from './table.js';
import { instantMs } from './time.js';

interface Event { at: string; rule: string; what: 'fires' | 'resolves'; labels: string; detail: string }

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('alert rules: list, add, remove, test');
  rules
    .command('list')
    .description('the rules a running server uses (from its config file and added through the API)')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--json', 'the API response as JSON')
    .action(async (f: { url: string; json?: boolean }) => {
      const r = await api<{ rules: { source: string; kind: string; rule: { name: string } & Record<string, unknown> }[] }>({ url: f.url }, '/api/v1/alerts/rules');
      if (f.json) { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); return; }
      process.stdout.write(`${renderTable(['name', 'kind', 'source', 'rule'], r.rules.map((x) => { const { name, ...rest } = x.rule; return { name, kind: x.kind, source: x.source, rule: rest }; }))}\n`);
    });
  rules
    .command('add <file>')
    .description('add the rules in a YAML file (an `alerting:` section, or its `rules` and `queryRules`) to a running server')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .action(async (file: string, f: { url: string }) => {
      let raw: Record<string, unknown>;
      try { raw = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>; } catch (err) { throw new ConfigError('(file)', `cannot read ${file}: ${errorMessage(err)}`); }
      const section = (raw.alerting ?? raw) as { rules?: unknown[]; queryRules?: unknown[] };
      const todo = [...(section.rules ?? []).map((rule) => ({ kind: 'anomaly', rule })), ...(section.queryRules ?? []).map((rule) => ({ kind: 'query', rule }))];
      if (todo.length === 0) throw new ConfigError('(file)', `${file} holds no rules (alerting.rules or alerting.queryRules)`);
      for (const t of todo) {
        await api({ url: f.url }, '/api/v1/alerts/rules', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t) });
        process.stdout.write(`added ${t.kind} rule ${(t.rule as { name?: string }).name ?? ''}\n`);
      }
    });
  rules
    .command('remove <name>')
    .description('remove a rule added through the API')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .action(async (name: string, f: { url: string }) => {
      await api({ url: f.url }, `/api/v1/alerts/rules/${encodeURIComponent(name)}`, { method: 'DELETE' });
      process.stdout.write(`removed ${name}\n`);
    });
  rules
    .command('test <file>')
    .description('backtest the alert rules in a YAML file (an `alerting:` section or its `rules` and `queryRules`) against stored logs')
    .option('--from <time>', 'start of the range (RFC 3339, epoch ms, or relative: 24h)', '24h')
    .option('--to <time>', 'end of the range (default now)')
    .option('-c, --config <file>', 'YAML config whose detect section the replay uses (default: built-in defaults)')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--json', 'the events as JSON lines')
    .action(async (file: string, f: { from: string; to?: string; config?: string; url: string; json?: boolean }) => {
      let raw: Record<string, unknown>;
      try { raw = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>; } catch (err) { throw new ConfigError('(file)', `cannot read ${file}: ${errorMessage(err)}`); }
      const section = (raw.alerting ?? raw) as Record<string, unknown>;
      // Validated as the server validates them (the rules' part of the alerting section).
      const checked = resolveConfig({ alerting: { rules: section.rules ?? [], queryRules: section.queryRules ?? [] } }).alerting;
      checkRules(checked.rules as AnomalyRule[]);
      const queryRules = parseQueryRules(checked.queryRules, checkAggregateQuery, new Set(checked.rules.map((r) => r.name)));
      const now = Date.now();
      const fromMs = instantMs('--from', f.from, now), toMs = f.to === undefined ? now : instantMs('--to', f.to, now);
      if (!(fromMs < toMs)) throw new ConfigError('--from', 'must be before --to');
      const events: Event[] = [];
      const labelText = (l: Record<string, string>) => Object.entries(l).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ');

      if (checked.rules.length > 0) {
        const cfg = configFromFlags({ ...(f.config ? { config: f.config } : {}) });
        const page = (params: URLSearchParams) => api<{ rows: Record<string, unknown>[] }>({ url: f.url }, `/api/v1/query?${params.toString()}`);
        const r = await replayStored(cfg, page, { filter: '*', start: new Date(fromMs).toISOString(), end: new Date(toMs).toISOString() });
        for (const a of r.anomalies) {
          for (const rule of checked.rules as AnomalyRule[]) {
            if (!matches(rule, a)) continue;
            const labels = labelText({ service: a.service, anomaly_type: a.anomaly_type, severity: a.severity, ...rule.labels });
            events.push({ at: a.window_start, rule: rule.name, what: 'fires', labels, detail: a.description });
            if (a.status === 'resolved') events.push({ at: a.window_end, rule: rule.name, what: 'resolves', labels, detail: '' });
          }
        }
      }
      if (queryRules.length > 0) {
        const evaluate = async (q: string, startMs: number, endMs: number) => (await api<{ rows: Record<string, unknown>[] }>({ url: f.url },
          `/api/v1/query?${new URLSearchParams({ q, start: new Date(Math.max(startMs, 0)).toISOString(), end: new Date(endMs).toISOString() }).toString()}`)).rows;
        const raised: Alert[] = [];
        const runner = new QueryRuleRunner(queryRules, evaluate, async (a) => { raised.push(a); }, () => now, () => '', () => undefined);
        for (const rule of queryRules) {
          // One evaluation per `every` over the range, as the server would have run it (at most 10,000 steps).
          const step = Math.max(rule.everyMs, Math.ceil((toMs - fromMs) / 10_000));
          for (let t = fromMs + step; t <= toMs; t += step) {
            const before = raised.length;
            await runner.evaluateRule(rule, t);
            for (const a of raised.slice(before)) {
              events.push({ at: a.status === 'firing' ? new Date(t).toISOString() : a.endsAt ?? new Date(t).toISOString(), rule: rule.name, what: a.status === 'firing' ? 'fires' : 'resolves', labels: labelText(a.labels), detail: a.status === 'firing' ? a.annotations.summary ?? '' : '' });
            }
          }
        }
      }
      events.sort((a, b) => a.at.localeCompare(b.at) || a.rule.localeCompare(b.rule));
      if (f.json) for (const e of events) process.stdout.write(`${JSON.stringify(e)}\n`);
      else process.stdout.write(`${renderTable(['at', 'rule', 'what', 'labels', 'detail'], events as unknown as Record<string, unknown>[])}\n`);
      process.stderr.write(`rules test: ${checked.rules.length} anomaly rules, ${queryRules.length} query rules over ${new Date(fromMs).toISOString()} .. ${new Date(toMs).toISOString()}: ${events.filter((e) => e.what === 'fires').length} would have fired\n`);
    });
}
