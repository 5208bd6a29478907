// Elasticsearch's response shapes: the error envelope, the bulk response and the start-up answers clients check.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { ItemError } from '../source.js';
import type { BulkDecoded, EsItemError } from './bulk-decoder.js';

/** An error answered in Elasticsearch's envelope: {error: {root_cause, type, reason}, status}. */
export class EsError extends Error {
  constructor(readonly statusCode: number, readonly type: string, reason: string, readonly retryAfterSeconds?: number) {
    super(reason);
  }
}

export function errorBody(type: string, reason: string, status: number): Record<string, unknown> {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

/** Elasticsearch's error type for a dead-letter reason (normalize/reasons.ts) of a document. */
function typeOfReason(reason: string): string {
  return reason === 'line_too_long' || reason === 'too_old' || reason === 'too_far_in_future' ? 'illegal_argument_exception' : 'document_parsing_exception';
}

/**
 * The bulk response: one item per action in order; a document that was dead-lettered is a 400 item whose reason
 * names the dead-letter reason. `seqNo` numbers the stored documents.
 */
export function bulkResponse(decoded: BulkDecoded, itemErrors: readonly ItemError[], tookMs: number, seqNo: () => number): { took: number; errors: boolean; items: Record<string, unknown>[] } {
  const byValue = new Map<number, ItemError>();
  for (const e of itemErrors) byValue.set(e.index, e);
  let errors = false;
  const items = decoded.items.map((it) => {
    let error: EsItemError | undefined = it.error;
    const dead = it.value >= 0 ? byValue.get(it.value) : undefined;
    if (dead) {
      error = { status: 400, type: error?.type ?? typeOfReason(dead.reason), reason: `${error ? `${error.reason}; ` : ''}dead-lettered (${dead.reason}): ${dead.error}` };
    }
    if (error) {
      errors = true;
      return { [it.op]: { _index: it.index, _id: it.id, status: error.status, error: { type: error.type, reason: error.reason } } };
    }
    return {
      [it.op]: {
        _index: it.index, _id: it.id, _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: seqNo(), _primary_term: 1, status: 201,
      },
    };
  });
  return { took: Math.round(tookMs), errors, items };
}

/**
 * Keeps only the paths named by Elasticsearch's `filter_path` (comma-separated, `*` matches one key, `**` any depth);
 * exclusions (`-path`) are not supported and ignored. Arrays are filtered element by element.
 */
export function filterPath(value: unknown, filter: string): unknown {
  const paths = filter.split(',').map((p) => p.trim()).filter((p) => p.length > 0 && !p.startsWith('-')).map((p) => p.split('.'));
  if (paths.length === 0) return value;
  return pick(value, paths) ?? {};
}

function pick(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) {
    const out = value.map((v) => pick(v, paths)).filter((v) => v !== undefined);
    return out.length > 0 ? out : undefined;
  }
  if (typeof value !== 'object' || value === null) return paths.some((p) => p.length === 0) ? value : undefined;
  if (paths.some((p) => p.length === 0)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const rest: string[][] = [];
    for (const [head, ...tail] of paths) {
      if (head === '**') {
        // Zero levels (the next name must match this key) or more (look deeper with ** still in front).
        const [h2, ...t2] = tail;
        if (h2 === undefined) { rest.push([]); continue; }
        if (h2 === '*' || h2 === k) rest.push(t2);
        rest.push([head, ...tail]);
        continue;
      }
      if (head === '*' || head === k) rest.push(tail);
    }
    if (rest.length === 0) continue;
    const kept = pick(v, rest);
    if (kept !== undefined) out[k] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** What the start-up requests are answered with: a single-node cluster of the configured name and version. */
export interface ClusterFacts { clusterName: string; version: string }

function uuidOf(s: string): string {
  return createHash('sha256').update(s).digest('base64url').slice(0, 22);
}

export function infoBody(f: ClusterFacts): Record<string, unknown> {
  return {
    name: hostname(), cluster_name: f.clusterName, cluster_uuid: uuidOf(`cluster:${f.clusterName}`),
    version: {
      number: f.version, build_flavor: 'default', build_type: 'logsift', build_hash: 'logsift', build_date: '2024-12-11T12:08:05.663969764Z',
      build_snapshot: false, lucene_version: '9.12.0', minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

export function licenseBody(f: ClusterFacts): Record<string, unknown> {
  return {
    license: {
      status: 'active', uid: uuidOf(`license:${f.clusterName}`), type: 'basic', issue_date: '1970-01-01T00:00:00.000Z', issue_date_in_millis: 0,
      max_nodes: 1000, max_resource_units: null, issued_to: f.clusterName, issuer: 'elasticsearch', start_date_in_millis: -1,
    },
  };
}

export function xpackBody(f: ClusterFacts): Record<string, unknown> {
  return {
    build: { hash: 'logsift', date: '2024-12-11T12:08:05.663969764Z' },
    license: { uid: uuidOf(`license:${f.clusterName}`), type: 'basic', mode: 'basic', status: 'active' },
    // Lifecycle policies are accepted (and ignored), so clients that check for ILM before creating one go on.
    features: { ilm: { available: true, enabled: true } },
    tagline: 'You know, for X',
  };
}

export function healthBody(f: ClusterFacts): Record<string, unknown> {
  return {
    cluster_name: f.clusterName, status: 'green', timed_out: false, number_of_nodes: 1, number_of_data_nodes: 1,
    active_primary_shards: 0, active_shards: 0, relocating_shards: 0, initializing_shards: 0, unassigned_shards: 0,
    delayed_unassigned_shards: 0, number_of_pending_tasks: 0, number_of_in_flight_fetch: 0, task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100,
  };
}
