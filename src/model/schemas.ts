// Loads schemas/*.yaml at run time and compiles them with ajv: the single source of truth for records and anomalies.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as formatsModule from 'ajv-formats';
import { ValidationError } from '../errors.js';
import type { LogRecord } from './log-record.js';
import type { Anomaly } from './anomaly.js';

/** Directory holding log_schema.yaml and anomaly_schema.yaml (dist/model -> ../../schemas). */
export const schemaDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

export interface JsonSchema {
  properties: Record<string, { description?: string; type?: unknown; enum?: unknown[] }>;
  required: string[];
  [key: string]: unknown;
}

export function loadSchema(name: 'log_schema' | 'anomaly_schema'): JsonSchema {
  const text = readFileSync(`${schemaDir}${name}.yaml`, 'utf8');
  return parseYaml(text) as JsonSchema;
}

type AddFormats = (ajv: Ajv2020, opts?: { mode?: 'fast' | 'full' }) => Ajv2020;
const addFormats = ((formatsModule as unknown as { default?: AddFormats }).default ?? (formatsModule as unknown as AddFormats));

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

export interface Validator<T> {
  /** Returns null when valid, else the list of problems. */
  check(value: unknown): string[] | null;
  /** Throws ValidationError when invalid. */
  assert(value: unknown): asserts value is T;
}

function makeValidator<T>(fn: ValidateFunction, what: string): Validator<T> {
  return {
    check(value) {
      return fn(value) ? null : formatErrors(fn.errors);
    },
    assert(value): asserts value is T {
      if (!fn(value)) throw new ValidationError(`${what} does not match its schema`, formatErrors(fn.errors));
    },
  };
}

let cached: { log: Validator<LogRecord>; anomaly: Validator<Anomaly> } | undefined;

/** Compiled validators for both schemas (compiled once per process). */
export function schemaValidators(): { log: Validator<LogRecord>; anomaly: Validator<Anomaly> } {
  if (cached) return cached;
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false });
  // 'fast' formats: simpler regular expressions, still rejecting malformed dates and addresses.
  addFormats(ajv, { mode: 'fast' });
  cached = {
    log: makeValidator<LogRecord>(ajv.compile(loadSchema('log_schema')), 'log record'),
    anomaly: makeValidator<Anomaly>(ajv.compile(loadSchema('anomaly_schema')), 'anomaly'),
  };
  return cached;
}
