// One chunk's work, the same in a worker thread and in a Dask or Ray task: read, normalize, mine, aggregate.
import { normalizeLine } from '../normalize/index.js';
import { patternsOptions } from '../patterns/options.js';
import type { Config } from '../config.js';
import { PartialBuilder, type BuilderOptions } from './builder.js';
import type { AnalysisPartial } from './partial.js';
import type { Chunk, TextChunk } from './plan.js';
import { readChunkLines } from './read-text.js';

/** The config sections a chunk needs, resolved once by the command, so every worker (on any machine) uses the same. */
export type AnalyzeConfig = Pick<Config, 'normalize' | 'patterns' | 'detect'>;

export interface AnalyzeSettings {
  /** Time bucket of the counts over time. */
  bucketMs: number;
  /** Distinct IP addresses and users kept per partial (the rest dropped, counted, and the result says truncated). */
  maxKeys: number;
  /** Records before `from` or at/after `to` (RFC 3339) are left out; so are services not listed (all when empty). */
  from: string | null;
  to: string | null;
  services: string[];
  /** The service of text lines that name none (like `ingest --service`); null uses normalize.defaultService. */
  defaultService: string | null;
}

/** What a worker is given: a plain JSON object, so a Python driver can pass it through to `logsift analyze-chunk`. */
export interface ChunkTask { settings: AnalyzeSettings; config: AnalyzeConfig; chunk: Chunk }

export function builderOptions(s: AnalyzeSettings, cfg: AnalyzeConfig): BuilderOptions {
  return {
    windowMs: cfg.detect.windowMs, bucketMs: s.bucketMs, maxKeys: s.maxKeys, samples: 3,
    miner: patternsOptions(cfg.patterns), latencyFields: cfg.detect.latencyFields,
    fromMs: s.from === null ? null : Date.parse(s.from), toMs: s.to === null ? null : Date.parse(s.to), services: s.services,
  };
}

/** Processes one chunk into its partial result. It must depend on the task alone (no clock, no environment). */
export async function processChunk(task: ChunkTask): Promise<AnalysisPartial> {
  const b = new PartialBuilder(builderOptions(task.settings, task.config));
  if (task.chunk.kind === 'text') await processText(task.chunk, task, b);
  else {
    // DuckDB's native binding is loaded only for lake input: a text task starts faster without it.
    const { readParquetChunk } = await import('./read-parquet.js');
    await readParquetChunk(task.chunk, task.settings, b);
  }
  return b.finish();
}

async function processText(chunk: TextChunk, task: ChunkTask, b: PartialBuilder): Promise<void> {
  const opts = task.config.normalize;
  const ctx = { receivedAt: new Date(chunk.receivedAt), ...(task.settings.defaultService !== null ? { service: task.settings.defaultService } : {}) };
  for await (const l of readChunkLines(chunk, opts.maxLineBytes)) {
    if (l.bad !== null) { b.line(); b.reject(l.bad); continue; }
    if (l.text.trim() === '') continue;
    b.line();
    const r = normalizeLine(l.text, ctx, opts);
    if (!r.ok) { b.reject(r.reason); continue; }
    const rec = r.record;
    b.add({
      tsMs: Date.parse(rec.timestamp), timestamp: rec.timestamp, service: rec.service, level: rec.level, message: rec.message,
      ip: rec.ip_address ?? '', user: rec.user_id ?? '', metadata: rec.metadata, id: `${chunk.path}@${l.offset}`,
    });
  }
}
