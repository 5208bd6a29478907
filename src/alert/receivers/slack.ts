// The Slack receiver: an incoming-webhook message ({text, blocks}) per notification. Every interpolated value is
// escaped as Slack documents (& < >): log lines are hostile and must not become links, mentions or markup.
import type { Alert, Notification, Receiver } from '../model.js';
import { ConfigError } from '../../errors.js';
import { post } from './http-post.js';
import { alertSummary, groupTitle, pickSamples, truncate, windowText } from './notification-text.js';
import { envNameSchema, httpUrlSchema, nameSchema, receiverKeyPath, resolveSecret, timeoutMsSchema, type ReceiverBase, type ReceiverDeps } from './receiver-config.js';

export interface SlackConfig extends ReceiverBase {
  type: 'slack';
  /** The incoming-webhook URL. It is a credential: prefer `urlEnv`. Exactly one of the two is required. */
  url?: string;
  urlEnv?: string;
  timeoutMs: number;
  /** Alerts shown per message (Slack allows 50 blocks; each alert takes up to 3). */
  maxAlerts: number;
  maxSamples: number;
  maxSampleChars: number;
}

export const slackConfigSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'type'],
  properties: {
    name: nameSchema, type: { const: 'slack' }, url: httpUrlSchema, urlEnv: envNameSchema, timeoutMs: timeoutMsSchema,
    maxAlerts: { type: 'integer', minimum: 1, maximum: 15, default: 10 },
    maxSamples: { type: 'integer', minimum: 0, maximum: 20, default: 5 },
    maxSampleChars: { type: 'integer', minimum: 20, maximum: 2000, default: 300 },
  },
};

/** Slack's limit for a section's text. */
const MAX_SECTION_CHARS = 3000;

/** Slack's documented escaping for message text: only these three characters are control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A sample line inside a ``` block: escaped, and backticks swapped for a look-alike so it cannot close the block. */
function codeLine(line: string): string {
  return slackEscape(line).replace(/`/g, 'ˋ');
}

type Block = Record<string, unknown>;

export function buildSlackMessage(n: Notification, config: Pick<SlackConfig, 'maxAlerts' | 'maxSamples' | 'maxSampleChars'>): { text: string; blocks: Block[] } {
  const title = groupTitle(n);
  const header = n.status === 'resolved' ? `*${slackEscape(title)}*\nResolved: every alert in this group has ended.` : `*${slackEscape(title)}*`;
  const blocks: Block[] = [mrkdwnSection(header)];
  const shown = n.alerts.slice(0, config.maxAlerts);
  shown.forEach((a, i) => blocks.push(...alertBlocks(a, i, config)));
  const hidden = n.alerts.length - shown.length;
  if (hidden > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${hidden} more alert(s) not shown` }] });
  return { text: slackEscape(title), blocks };
}

function alertBlocks(a: Alert, index: number, config: Pick<SlackConfig, 'maxSamples' | 'maxSampleChars'>): Block[] {
  const state = a.status === 'resolved' ? ` (resolved${a.endsAt ? ` at ${slackEscape(a.endsAt)}` : ''})` : '';
  const description = (a.annotations.description ?? '').replace(/[\u0000-\u0009\u000b-\u001f\u007f]+/g, ' ');
  const lines = [`*${slackEscape(alertSummary(a))}*${state}`];
  if (description) lines.push(slackEscape(truncate(description, 2000)));
  lines.push(`*Window:* ${slackEscape(windowText(a))}`);
  const blocks = [mrkdwnSection(lines.join('\n'))];
  const samples = samplesBlock(pickSamples(a, config.maxSamples, config.maxSampleChars));
  if (samples) blocks.push(mrkdwnSection(samples));
  if (/^https?:\/\//.test(a.generatorURL) && a.generatorURL.length <= 3000) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: `logsift_view_logs_${index}`, text: { type: 'plain_text', text: 'View logs' }, url: a.generatorURL }] });
  }
  return blocks;
}

/** The samples as a code block, dropping the oldest lines until it fits Slack's section limit. */
function samplesBlock(samples: string[]): string | undefined {
  const lines = samples.map(codeLine);
  while (lines.length > 0) {
    const text = `\`\`\`\n${lines.join('\n')}\n\`\`\``;
    if (text.length <= MAX_SECTION_CHARS) return text;
    lines.shift();
  }
  return undefined;
}

function mrkdwnSection(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_SECTION_CHARS) } };
}

export function createSlackReceiver(config: SlackConfig, deps: ReceiverDeps = {}): Receiver {
  const keyPath = receiverKeyPath(config.name, deps);
  const url = resolveSecret(`${keyPath}.url`, config.url, config.urlEnv, deps.env ?? process.env);
  if (url === undefined) throw new ConfigError(`${keyPath}.url`, 'a Slack receiver needs url or urlEnv (the incoming-webhook URL)');
  if (!/^https?:\/\/\S+$/.test(url)) throw new ConfigError(`${keyPath}.urlEnv`, 'the Slack webhook URL must start with https:// (or http://)');
  const label = `slack receiver "${config.name}"`;
  return {
    name: config.name,
    type: 'slack',
    send(n, signal) {
      const body = JSON.stringify(buildSlackMessage(n, config));
      return post({ receiver: label, url, body, headers: { 'content-type': 'application/json' }, timeoutMs: config.timeoutMs, signal });
    },
  };
}
