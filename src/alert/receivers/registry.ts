// The receiver registry: config `type` -> factory and JSON schema, and the validation of `alerting.receivers[]`
// entries (defaults filled, unknown keys rejected, secrets from the environment checked) with errors naming the key.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Receiver } from '../model.js';
import { ConfigError } from '../../errors.js';
import { createAlertmanagerReceiver, alertmanagerConfigSchema, type AlertmanagerConfig } from './alertmanager.js';
import { createEmailReceiver, emailConfigSchema, type EmailConfig } from './email.js';
import { createPagerDutyReceiver, pagerDutyConfigSchema, type PagerDutyConfig } from './pagerduty.js';
import { createSlackReceiver, slackConfigSchema, type SlackConfig } from './slack.js';
import { createWebhookReceiver, webhookConfigSchema, type WebhookConfig } from './webhook.js';
import { nameSchema, type ReceiverDeps } from './receiver-config.js';

export type ReceiverConfig = WebhookConfig | SlackConfig | PagerDutyConfig | EmailConfig | AlertmanagerConfig;
export type ReceiverType = ReceiverConfig['type'];
type Factory<T extends ReceiverType> = (config: Extract<ReceiverConfig, { type: T }>, deps?: ReceiverDeps) => Receiver;

export const receiverTypes = {
  webhook: createWebhookReceiver,
  slack: createSlackReceiver,
  pagerduty: createPagerDutyReceiver,
  email: createEmailReceiver,
  alertmanager: createAlertmanagerReceiver,
} satisfies { [T in ReceiverType]: Factory<T> };

/** Each type's config schema (ajv, `additionalProperties: false`, defaults); each also requires `name` and `type`. */
export const receiverConfigSchemas = {
  webhook: webhookConfigSchema,
  slack: slackConfigSchema,
  pagerduty: pagerDutyConfigSchema,
  email: emailConfigSchema,
  alertmanager: alertmanagerConfigSchema,
} satisfies Record<ReceiverType, object>;

const typeNames = Object.keys(receiverTypes) as ReceiverType[];

/**
 * The schema of one `alerting.receivers[]` entry as the config loader can embed it: `name` and `type` checked, the
 * type's own keys left to `validateReceiverConfig` (a `oneOf` would report "must match exactly one schema" instead
 * of naming the bad key, and ajv does not apply defaults inside `oneOf`).
 */
export const receiverConfigSchema = {
  type: 'object', required: ['name', 'type'],
  properties: { name: nameSchema, type: { enum: typeNames } },
};

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, strictTypes: false });
const validators = Object.fromEntries(typeNames.map((t) => [t, ajv.compile(receiverConfigSchemas[t])])) as Record<ReceiverType, ValidateFunction>;

/** Builds the receiver for a validated config. */
export function createReceiver(config: ReceiverConfig, deps: ReceiverDeps = {}): Receiver {
  // One switch keeps each factory paired with its own config type without casts.
  switch (config.type) {
    case 'webhook': return receiverTypes.webhook(config, deps);
    case 'slack': return receiverTypes.slack(config, deps);
    case 'pagerduty': return receiverTypes.pagerduty(config, deps);
    case 'email': return receiverTypes.email(config, deps);
    case 'alertmanager': return receiverTypes.alertmanager(config, deps);
  }
}

/**
 * Validates `alerting.receivers[index]` and returns it with defaults filled in. Throws ConfigError naming
 * `alerting.receivers[<index>].<key>`, including for a `...Env` key whose environment variable is unset.
 */
export function validateReceiverConfig(raw: unknown, index: number, env: Record<string, string | undefined> = process.env): ReceiverConfig {
  const keyPath = `alerting.receivers[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(keyPath, 'must be an object with name and type');
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !(typeNames as string[]).includes(type)) {
    throw new ConfigError(`${keyPath}.type`, `must be one of ${typeNames.join(', ')}`);
  }
  const validate = validators[type as ReceiverType];
  const value = structuredClone(raw);
  if (!validate(value)) throw schemaError(keyPath, type as ReceiverType, validate.errors?.[0]);
  const config = value as ReceiverConfig;
  // Building resolves secrets, environment variables, headers and files: a bad one fails at load, not at 3 a.m.
  createReceiver(config, { env, keyPath });
  return config;
}

/** Validates every entry and that names are unique (routes refer to receivers by name). */
export function validateReceiverConfigs(raw: readonly unknown[], env: Record<string, string | undefined> = process.env): ReceiverConfig[] {
  const seen = new Map<string, number>();
  return raw.map((entry, i) => {
    const config = validateReceiverConfig(entry, i, env);
    const earlier = seen.get(config.name);
    if (earlier !== undefined) throw new ConfigError(`alerting.receivers[${i}].name`, `"${config.name}" is already the name of alerting.receivers[${earlier}]; names must be unique`);
    seen.set(config.name, i);
    return config;
  });
}

function schemaError(keyPath: string, type: ReceiverType, e: ErrorObject | undefined): ConfigError {
  if (!e) return new ConfigError(keyPath, 'is invalid');
  const at = keyPath + e.instancePath.split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  // A failed `propertyNames` check reports the offending key beside the inner error, not in its instancePath.
  if (e.propertyName !== undefined) return new ConfigError(`${at}.${e.propertyName}`, 'is not a valid header name (letters, digits and !#$%&\'*+.^_`|~-)');
  const allowed = Object.keys(receiverConfigSchemas[type].properties).join(', ');
  switch (e.keyword) {
    case 'additionalProperties':
      return new ConfigError(`${at}.${String(e.params.additionalProperty)}`, `unknown key for a ${type} receiver; allowed keys: ${allowed}`);
    case 'required':
      return new ConfigError(`${at}.${String(e.params.missingProperty)}`, `is required for a ${type} receiver`);
    case 'enum':
      return new ConfigError(at, `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`);
    default:
      return new ConfigError(at, e.message ?? 'is invalid');
  }
}
