// The `templates` table: the miner's templates (text, service, first/last seen, total count, examples), keyed by template_id.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ValidationError } from '../errors.js';
import type { LogStore, Row } from './log-store.js';

/** The table's name: a fixed identifier that query/ joins on, never user input. */
export const TEMPLATES_TABLE = 'templates';

export const TEMPLATES_DDL = `CREATE TABLE IF NOT EXISTS ${TEMPLATES_TABLE} (template_id VARCHAR PRIMARY KEY, service VARCHAR, template VARCHAR,
  first_seen TIMESTAMP_NS, last_seen TIMESTAMP_NS, count BIGINT, examples VARCHAR[])`;

/** A staging table on the store's serial connection: rows are appended to it, then merged in one statement. */
const STAGING = 'templates_staging';
const STAGING_DDL = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (template_id VARCHAR, service VARCHAR, template VARCHAR,
  first_seen VARCHAR, last_seen VARCHAR, count BIGINT, examples VARCHAR)`;

export interface TemplateRow {
  /** 16 lowercase hex characters, as the miner writes into `logs.template_id`. */
  templateId: string;
  service: string;
  /** The template text; variables are written `<*>`. */
  template: string;
  /** RFC 3339. */
  firstSeen: string;
  lastSeen: string;
  /** Records the miner has matched to this template, in total. */
  count: number;
  /** A few matching messages, as the miner keeps them (patterns.examples, each cut at patterns.maxExampleChars). */
  examples: string[];
}

const TEMPLATE_ID = /^[0-9a-f]{16}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Creates the table if it is missing; safe to call on every start. */
export async function ensureTemplatesTable(store: LogStore): Promise<void> {
  await store.exec(TEMPLATES_DDL);
}

/**
 * Inserts or updates templates in one transaction. An existing row takes the new service, text, count and
 * examples; its first_seen only moves earlier and its last_seen only later. Rows with the same id: the last wins.
 * Throws ValidationError (nothing written) when a row has a malformed id, time or count.
 */
export async function upsertTemplates(store: LogStore, rows: readonly TemplateRow[]): Promise<void> {
  const byId = new Map<string, TemplateRow>();
  for (const row of rows) byId.set(row.templateId, row);
  const errors = [...byId.values()].flatMap(rowErrors).slice(0, 5);
  if (errors.length > 0) throw new ValidationError('cannot store templates', errors);
  if (byId.size === 0) return;
  await store.serial(async (c) => {
    await c.run(STAGING_DDL);
    await c.run('BEGIN TRANSACTION');
    try {
      await c.run(`DELETE FROM ${STAGING}`);
      await stage(c, byId.values());
      await c.run(`INSERT INTO ${TEMPLATES_TABLE}
        SELECT template_id, service, template, CAST(first_seen AS TIMESTAMP_NS), CAST(last_seen AS TIMESTAMP_NS), count,
          CAST(CAST(examples AS JSON) AS VARCHAR[]) FROM ${STAGING}
        ON CONFLICT (template_id) DO UPDATE SET service = excluded.service, template = excluded.template,
          first_seen = least(${TEMPLATES_TABLE}.first_seen, excluded.first_seen), last_seen = greatest(${TEMPLATES_TABLE}.last_seen, excluded.last_seen),
          count = excluded.count, examples = excluded.examples`);
      await c.run(`DELETE FROM ${STAGING}`);
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/** An appender, not SQL text, carries the values: about 20 times faster than multi-row INSERTs for 10k rows. */
async function stage(c: DuckDBConnection, rows: Iterable<TemplateRow>): Promise<void> {
  const appender = await c.createAppender(STAGING, 'main', 'temp');
  try {
    for (const r of rows) {
      appender.appendVarchar(r.templateId);
      appender.appendVarchar(r.service);
      appender.appendVarchar(r.template);
      appender.appendVarchar(r.firstSeen);
      appender.appendVarchar(r.lastSeen);
      appender.appendBigInt(BigInt(r.count));
      appender.appendVarchar(JSON.stringify(r.examples));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function rowErrors(r: TemplateRow): string[] {
  const at = `template ${JSON.stringify(String(r.templateId).slice(0, 40))}`;
  const out: string[] = [];
  if (!TEMPLATE_ID.test(r.templateId)) out.push(`${at}: template_id must be 16 lowercase hex characters`);
  if (!RFC3339.test(r.firstSeen) || !RFC3339.test(r.lastSeen)) out.push(`${at}: first_seen and last_seen must be RFC 3339 times`);
  if (!Number.isSafeInteger(r.count) || r.count < 0) out.push(`${at}: count must be a whole number of at least 0`);
  if (!Array.isArray(r.examples) || r.examples.some((e) => typeof e !== 'string')) out.push(`${at}: examples must be a list of strings`);
  return out;
}

/** Every template, or those of one service, most frequent first. */
export async function readTemplates(store: LogStore, service?: string): Promise<TemplateRow[]> {
  const where = service === undefined ? '' : 'WHERE service = $1';
  const rows = await store.query(
    `SELECT template_id, service, template, ${rfc3339('first_seen')} AS first_seen, ${rfc3339('last_seen')} AS last_seen, count, examples
     FROM ${TEMPLATES_TABLE} ${where} ORDER BY count DESC, template_id`,
    service === undefined ? [] : [service],
  );
  return rows.map(toTemplateRow);
}

const rfc3339 = (col: string) => `replace(CAST(${col} AS VARCHAR), ' ', 'T') || 'Z'`;

function toTemplateRow(r: Row): TemplateRow {
  return {
    templateId: String(r.template_id), service: String(r.service ?? ''), template: String(r.template ?? ''),
    firstSeen: String(r.first_seen), lastSeen: String(r.last_seen), count: Number(r.count ?? 0),
    examples: Array.isArray(r.examples) ? r.examples.map(String) : [],
  };
}
