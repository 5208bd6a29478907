// The email receiver: one plain-text message per notification over SMTP (nodemailer), with implicit TLS or
// STARTTLS. The body is text only: log content never becomes HTML.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { Alert, DeliveryResult, Notification, Receiver } from '../model.js';
import { ConfigError, errorMessage } from '../../errors.js';
import { alertSummary, groupTitle, oneLine, pickSamples, windowText } from './notification-text.js';
import { envNameSchema, nameSchema, receiverKeyPath, resolveSecret, secretSchema, timeoutMsSchema, type ReceiverBase, type ReceiverDeps } from './receiver-config.js';

export interface EmailConfig extends ReceiverBase {
  type: 'email';
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades the connection with STARTTLS (ignored when `secure`). */
  requireTLS: boolean;
  /** PEM file with the CA(s) to trust for the server's certificate, in addition to the system's. */
  tlsCaFile?: string;
  /** Accept any server certificate. Only for tests and private relays: it allows interception. */
  tlsInsecureSkipVerify: boolean;
  user?: string;
  password?: string;
  passwordEnv?: string;
  from: string;
  to: string[];
  /** Placeholders: {title} {status} {count} {alertname} {summary} {receiver}. */
  subject: string;
  timeoutMs: number;
  maxAlerts: number;
  maxSamples: number;
  maxSampleChars: number;
}

const address = { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^\\s<>@,;]+@[^\\s<>@,;]+$' };
/** `alerts@example.com` or `logsift alerts <alerts@example.com>`. */
const sender = { type: 'string', minLength: 3, maxLength: 420, pattern: '^(?:[^\\r\\n<>",;@]{1,100} <[^\\s<>@,;]+@[^\\s<>@,;]+>|[^\\s<>@,;]+@[^\\s<>@,;]+)$' };
const placeholders = ['title', 'status', 'count', 'alertname', 'summary', 'receiver'] as const;

export const emailConfigSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'type', 'host', 'from', 'to'],
  properties: {
    name: nameSchema, type: { const: 'email' },
    host: { type: 'string', minLength: 1, maxLength: 255 },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 587 },
    secure: { type: 'boolean', default: false },
    requireTLS: { type: 'boolean', default: true },
    tlsCaFile: { type: 'string', minLength: 1 },
    tlsInsecureSkipVerify: { type: 'boolean', default: false },
    user: { type: 'string', minLength: 1, maxLength: 512 }, password: secretSchema, passwordEnv: envNameSchema,
    from: sender,
    to: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: address },
    subject: { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\r\\n]*$', default: '{title}: {summary}' },
    timeoutMs: timeoutMsSchema,
    maxAlerts: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    maxSamples: { type: 'integer', minimum: 0, maximum: 50, default: 10 },
    maxSampleChars: { type: 'integer', minimum: 20, maximum: 4000, default: 500 },
  },
};

export function renderSubject(template: string, n: Notification): string {
  const first = n.alerts.find((a) => a.status === n.status) ?? n.alerts[0];
  const values: Record<(typeof placeholders)[number], string> = {
    title: groupTitle(n), status: n.status.toUpperCase(), count: String(n.alerts.filter((a) => a.status === n.status).length),
    alertname: n.commonLabels.alertname ?? first?.labels.alertname ?? 'alert', summary: first ? alertSummary(first) : '', receiver: n.receiver,
  };
  return oneLine(template.replace(/\{(\w+)\}/g, (m, key: string) => (key in values ? values[key as keyof typeof values] : m)), 250);
}

export function renderEmailText(n: Notification, config: Pick<EmailConfig, 'maxAlerts' | 'maxSamples' | 'maxSampleChars'>): string {
  const lines = [groupTitle(n), ''];
  if (n.status === 'resolved') lines.push('Resolved: every alert in this group has ended.', '');
  const shown = n.alerts.slice(0, config.maxAlerts);
  shown.forEach((a, i) => lines.push(...alertText(a, i + 1, n.alerts.length, config), ''));
  if (shown.length < n.alerts.length) lines.push(`${n.alerts.length - shown.length} more alert(s) not shown.`, '');
  lines.push('-- ', `Sent by logsift (receiver "${n.receiver}"). Dashboard: ${oneLine(n.externalURL, 3000)}`);
  return lines.join('\n');
}

function alertText(a: Alert, index: number, total: number, config: Pick<EmailConfig, 'maxSamples' | 'maxSampleChars'>): string[] {
  const lines = [`Alert ${index} of ${total} (${a.status}): ${alertSummary(a)}`];
  const description = a.annotations.description;
  if (description) lines.push(`  Description: ${oneLine(description, 4000)}`);
  lines.push(`  Window: ${windowText(a)}`, `  Started: ${a.startsAt}`);
  if (a.endsAt) lines.push(`  Ended: ${a.endsAt}`);
  lines.push(`  Labels: ${Object.entries(a.labels).map(([k, v]) => oneLine(`${k}=${v}`, 300)).join(', ')}`);
  const samples = pickSamples(a, config.maxSamples, config.maxSampleChars);
  if (samples.length > 0) lines.push('  Sample lines (newest last):', ...samples.map((s) => `    | ${s}`));
  lines.push(`  Logs: ${oneLine(a.generatorURL, 3000)}`);
  return lines;
}

/** Node's codes for a server certificate that does not verify (nodemailer keeps them as `originalCode`). */
const certificateErrors = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * SMTP failures: 4xx replies, 503, connection errors and timeouts are retryable; 5xx replies, rejected credentials
 * and TLS failures (a bad certificate, no STARTTLS offered) are not: retrying sends the same thing to the same answer.
 */
export function classifySmtpError(err: unknown): { retryable: boolean; error: string } {
  const e = (err ?? {}) as { code?: unknown; originalCode?: unknown; responseCode?: unknown; permanent?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const originalCode = typeof e.originalCode === 'string' ? e.originalCode : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = oneLine(errorMessage(err), 500);
  if (responseCode !== undefined) return { retryable: e.permanent !== true, error: message };
  if (code === 'EAUTH' || code === 'ENOAUTH') return { retryable: false, error: `${message} (check user and password)` };
  if (code === 'ETLS' || code === 'EREQUIRETLS' || code === 'ECONFIG' || (originalCode !== undefined && certificateErrors.has(originalCode))) return { retryable: false, error: `${message} (check secure, requireTLS and tlsCaFile)` };
  return { retryable: true, error: message };
}

export function createEmailReceiver(config: EmailConfig, deps: ReceiverDeps = {}): Receiver {
  const keyPath = receiverKeyPath(config.name, deps);
  const password = resolveSecret(`${keyPath}.password`, config.password, config.passwordEnv, deps.env ?? process.env);
  if ((config.user === undefined) !== (password === undefined)) throw new ConfigError(`${keyPath}.user`, 'set both user and password (or passwordEnv), or neither');
  const transport = buildTransport(config, password, keyPath);
  const label = `email receiver "${config.name}"`;
  return {
    name: config.name,
    type: 'email',
    async send(n, signal) {
      const message = {
        from: config.from, to: config.to, subject: renderSubject(config.subject, n), text: renderEmailText(n, config),
        // The same notification gets the same Message-ID, so a retried delivery can be recognised as a repeat.
        messageId: `<${createHash('sha256').update(n.idempotencyKey).digest('hex').slice(0, 40)}@logsift>`,
        headers: { 'X-Logsift-Idempotency-Key': oneLine(n.idempotencyKey, 200) },
      };
      return withDeadline(label, config.timeoutMs, signal, async (): Promise<DeliveryResult> => {
        try {
          const info = await transport.sendMail(message);
          if (info.rejected.length > 0) {
            return { ok: false, retryable: false, error: `${label}: accepted for ${info.accepted.length} recipient(s), rejected for ${info.rejected.join(', ')}` };
          }
          return { ok: true };
        } catch (err) {
          const { retryable, error } = classifySmtpError(err);
          return { ok: false, retryable, error: `cannot deliver to ${label}: ${error}` };
        }
      });
    },
  };
}

/** Checks the subject's placeholders and reads the CA file (ConfigError naming the key), then makes the transport. */
function buildTransport(config: EmailConfig, password: string | undefined, keyPath: string) {
  for (const m of config.subject.matchAll(/\{(\w+)\}/g)) {
    if (!(placeholders as readonly string[]).includes(m[1]!)) throw new ConfigError(`${keyPath}.subject`, `unknown placeholder {${m[1]}}; use ${placeholders.map((p) => `{${p}}`).join(' ')}`);
  }
  let ca: string | undefined;
  if (config.tlsCaFile !== undefined) {
    try { ca = readFileSync(config.tlsCaFile, 'utf8'); } catch (err) { throw new ConfigError(`${keyPath}.tlsCaFile`, `cannot read ${config.tlsCaFile}: ${errorMessage(err)}`, { cause: err }); }
  }
  return createTransport({
    host: config.host, port: config.port, secure: config.secure, requireTLS: config.requireTLS && !config.secure,
    auth: config.user !== undefined && password !== undefined ? { user: config.user, pass: password } : undefined,
    tls: { rejectUnauthorized: !config.tlsInsecureSkipVerify, ...(ca !== undefined ? { ca } : {}) },
    connectionTimeout: config.timeoutMs, greetingTimeout: config.timeoutMs, socketTimeout: config.timeoutMs,
    disableFileAccess: true, disableUrlAccess: true,
  });
}

/**
 * nodemailer takes no AbortSignal: its own timeouts bound each SMTP step, and this bounds the whole send, returning
 * a retryable failure when the caller aborts or `timeoutMs` passes (the connection then closes on its socket timeout).
 */
async function withDeadline(label: string, timeoutMs: number, signal: AbortSignal, run: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  if (deadline.aborted) return { ok: false, retryable: true, error: `cannot deliver to ${label}: aborted before sending` };
  let onAbort = (): void => undefined;
  const aborted = new Promise<DeliveryResult>((resolve) => {
    onAbort = () => resolve({ ok: false, retryable: true, error: `cannot deliver to ${label}: ${signal.aborted ? 'aborted by the caller' : `not done within timeoutMs=${timeoutMs}`}` });
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run(), aborted]);
  } finally {
    deadline.removeEventListener('abort', onAbort);
  }
}
