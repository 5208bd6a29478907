// `logsift alerts [--deliveries]` and `logsift silences list|add|expire`: alerting's state on a running server.
import type { Command } from 'commander';
import { api, defaultUrl } from './client.js';
import { renderTable } from './table.js';
import { ConfigError } from '../errors.js';
import { parseDurationMs } from '../alert/route.js';

interface AlertRow { alert: { labels: Record<string, string>; status: string; startsAt: string; annotations: Record<string, string> }; state: string; silencedBy: string[]; inhibitedBy: string[] }
interface DeliveryRow { id: string; receiver: string; state: string; queuedAt: string; attempts: { at: string; ok: boolean; error?: string }[]; notification: { status: string; groupKey: string } }
interface SilenceRow { id: string; state: string; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[]; startsAt: string; endsAt: string; createdBy: string; comment: string }

const out = (json: boolean, value: unknown, table: () => string) => process.stdout.write(`${json ? JSON.stringify(value, null, 2) : table()}\n`);

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description('alerts of a running server (firing, resolved, silenced, inhibited), or with --deliveries its delivery history')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--deliveries', 'the outbox: pending, delivered and failed notifications with their attempts')
    .option('--state <state>', 'with --deliveries: pending, delivered or failed')
    .option('--receiver <name>', 'with --deliveries: one receiver')
    .option('--json', 'the API response as JSON')
    .action(async (f: { url: string; deliveries?: boolean; state?: string; receiver?: string; json?: boolean }) => {
      if (f.deliveries) {
        const q = new URLSearchParams({ ...(f.state ? { state: f.state } : {}), ...(f.receiver ? { receiver: f.receiver } : {}) });
        const r = await api<{ deliveries: DeliveryRow[]; pending: number }>({ url: f.url }, `/api/v1/alerts/deliveries?${q.toString()}`);
        out(f.json === true, r, () => `${renderTable(['queued', 'receiver', 'state', 'status', 'attempts', 'last error'], r.deliveries.map((d) => ({
          queued: d.queuedAt, receiver: d.receiver, state: d.state, status: d.notification.status, attempts: d.attempts.length,
          'last error': [...d.attempts].reverse().find((a) => !a.ok)?.error ?? '',
        })))}\n${r.pending} pending`);
        return;
      }
      const r = await api<{ alerts: AlertRow[] }>({ url: f.url }, '/api/v1/alerts');
      out(f.json === true, r, () => renderTable(['started', 'alertname', 'service', 'severity', 'status', 'state', 'summary'], r.alerts.map((a) => ({
        started: a.alert.startsAt, alertname: a.alert.labels.alertname, service: a.alert.labels.service, severity: a.alert.labels.severity,
        status: a.alert.status, state: a.silencedBy.length ? 'silenced' : a.inhibitedBy.length ? 'inhibited' : a.state, summary: a.alert.annotations.summary,
      }))));
    });

  const silences = program.command('silences').description('silences of a running server: list, add, expire');
  silences
    .command('list', { isDefault: true })
    .description('silences (pending, active and recently expired)')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--state <state>', 'pending, active or expired')
    .option('--json', 'the API response as JSON')
    .action(async (f: { url: string; state?: string; json?: boolean }) => {
      const r = await api<{ silences: SilenceRow[] }>({ url: f.url }, `/api/v1/silences${f.state ? `?state=${encodeURIComponent(f.state)}` : ''}`);
      out(f.json === true, r, () => renderTable(['id', 'state', 'matchers', 'ends', 'by', 'comment'], r.silences.map((s) => ({
        id: s.id, state: s.state, matchers: s.matchers.map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}${JSON.stringify(m.value)}`).join(', '),
        ends: s.endsAt, by: s.createdBy, comment: s.comment,
      }))));
    });
  silences
    .command('add <matchers...>')
    .description('silence alerts matching every matcher, e.g. logsift silences add \'service="checkout"\' --for 2h --comment deploy')
    .requiredOption('--for <duration>', 'how long, e.g. 30m, 2h')
    .requiredOption('--comment <text>', 'why')
    .option('--by <name>', 'who', process.env.USER ?? 'logsift-cli')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .action(async (matchers: string[], f: { for: string; comment: string; by: string; url: string }) => {
      const ms = parseDurationMs(f.for, '--for');
      if (ms <= 0) throw new ConfigError('--for', 'must be a positive duration');
      const r = await api<{ silence: SilenceRow }>({ url: f.url }, '/api/v1/silences', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ matchers, endsAt: new Date(Date.now() + ms).toISOString(), createdBy: f.by, comment: f.comment }),
      });
      process.stdout.write(`${r.silence.id} ${r.silence.state} until ${r.silence.endsAt}\n`);
    });
  silences
    .command('expire <id>')
    .description('end a silence now')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .action(async (id: string, f: { url: string }) => {
      const r = await api<{ silence: SilenceRow }>({ url: f.url }, `/api/v1/silences/${encodeURIComponent(id)}`, { method: 'DELETE' });
      process.stdout.write(`${r.silence.id} ${r.silence.state} at ${r.silence.endsAt}\n`);
    });
}
