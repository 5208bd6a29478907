// Every error code, rejection reason and config key is documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCodes } from './errors.js';
import { rejectReasonList } from './normalize/reasons.js';
import { configSchema } from './config.js';

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

test('docs/errors.md documents every error code and rejection reason', () => {
  const text = doc('errors.md');
  for (const code of Object.keys(errorCodes)) assert.match(text, new RegExp(`\\| \`${code}\` \\|`), `error code ${code}`);
  for (const reason of rejectReasonList) assert.match(text, new RegExp(`\\| \`${reason}\` \\|`), `reject reason ${reason}`);
});

test('docs/configuration.md documents every config key', () => {
  const text = doc('configuration.md');
  const keys: string[] = [];
  const walk = (node: { properties?: Record<string, unknown> }, prefix: string) => {
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const child = v as { properties?: Record<string, unknown> };
      if (child.properties) walk(child, `${prefix}${k}.`);
      else keys.push(`${prefix}${k}`);
    }
  };
  walk(configSchema as { properties: Record<string, unknown> }, '');
  assert.ok(keys.length > 20);
  for (const k of keys) assert.match(text, new RegExp(`\\| \`${k.replaceAll('.', '\\.')}\` \\|`), `config key ${k}`);
});

test('the queries the benchmark times are documented in docs/query.md and parse', async () => {
  const { exampleQueries } = await import('./bench/example-queries.js');
  const { parseQuery } = await import('./query/index.js');
  const text = doc('query.md');
  for (const q of exampleQueries) {
    assert.ok(text.includes(`\n${q}\n`), `docs/query.md lists ${q}`);
    assert.doesNotThrow(() => parseQuery(q), q);
  }
});
