// The Source interface: every input (demo generator, syslog, OTLP, Elasticsearch bulk, Loki push, file tail ...) is
// one unit behind it, built from the `sources` config by type (collect/registry.ts) and wired by the composition root.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** A batch of raw input: newline-separated lines in any supported format. */
export interface RawBatch { body: Buffer; service?: string }

/**
 * A pull source yields raw batches until `signal` aborts. It must apply backpressure (the next batch is produced only
 * after the consumer asked for it) and must never buffer without bound.
 */
export interface PullSource {
  readonly name: string;
  read(signal: AbortSignal): AsyncIterable<RawBatch>;
}

/**
 * How a body is turned into records, on an intake worker thread: `lines` (newline-separated text in any supported
 * format), `json` (one JSON object or an array), or the name of a protocol decoder (collect/decoders.ts).
 */
export type BodyFormat = 'lines' | 'json' | (string & {});

/** What a source hands to the engine. The body is owned by the engine from then on (it may be moved to a worker). */
export interface SourceBatch {
  format: BodyFormat;
  body: Buffer;
  /** The service of records that do not name one. */
  service?: string;
  /** When it arrived; now by default. */
  receivedAt?: Date;
  /** Options handed to the protocol decoder on the worker (plain JSON data, e.g. a label mapping). */
  decoderOptions?: unknown;
}

/** A rejected item of a decoded body: its index among the body's items, why, and the reason code. */
export interface ItemError { index: number; reason: string; error: string }

/** The outcome of one batch, known once the accepted records are durable (fsynced). */
export interface SourceIngestResult {
  accepted: number;
  rejected: number;
  skipped: number;
  reasons: Record<string, number>;
  /** Per-item failures, when the decoder splits the body into items (Elasticsearch bulk, OTLP log records ...). */
  itemErrors: ItemError[];
  /** Items the decoder found in the body (records + rejected), when it splits it into items. */
  items?: number;
  /** Extra facts the decoder reports back (e.g. the bulk actions, for a per-item response). */
  decoded?: unknown;
  /** The body as a whole could not be decoded: it was kept as one dead letter (when small enough) and nothing else stored. */
  decodeError?: string;
}

/** What the engine gives a source: a durable ingest, backpressure, counters and a logger. */
export interface SourceContext {
  readonly log: Logger;
  /** Normalizes and stores a batch; resolves after the accepted records are durable. Never rejects for bad input. */
  ingest(batch: SourceBatch): Promise<SourceIngestResult>;
  /**
   * Why ingest should back off now (a reason code), counting `extraBytes` about to be read; undefined when it may go
   * on. HTTP sources answer 429 with Retry-After then, stream sources stop reading.
   */
  overloaded(extraBytes?: number): string | undefined;
  /** Seconds a client should wait after a 429 (server.retryAfterSeconds). */
  readonly retryAfterSeconds: number;
  /** The body limits of HTTP sources: as sent (server.maxBodyBytes) and once decompressed (server.maxDecompressedBytes). */
  readonly limits: { readonly maxBodyBytes: number; readonly maxDecompressedBytes: number };
  /** Counts input the source had to drop before it became a batch (UDP overflow, a frame over a limit ...), by reason. */
  dropped(reason: string, n?: number): void;
  /** Holds `bytes` of memory against server.maxPendingBytes until released (bodies being read). */
  reserve(bytes: number): () => void;
  now(): Date;
  /** A directory of the source's own (`<dataDir>/sources/<name>`, created by the source when it needs it): checkpoints. */
  readonly stateDir: string;
  /**
   * The last LSN handed out so far: a batch ingested from now on gets higher LSNs. A source notes it before a batch
   * to ask `storedAfter` about that batch after a crash.
   */
  lastLsn(): number;
  /**
   * Whether any record or dead letter of this source (by its name, which no other writer uses) is stored with an LSN
   * above `lsn`. Complete when a source starts: the engine has loaded the whole WAL into the store by then.
   */
  storedAfter(lsn: number): Promise<boolean>;
}

/**
 * A source unit. Listening and reading sources implement `start`/`stop`; sources spoken over HTTP add routes to the
 * main server with `routes`. `status` feeds `GET /api/v1/sources` and `logsift status`.
 */
export interface Source {
  readonly name: string;
  readonly type: string;
  start?(ctx: SourceContext): Promise<void>;
  routes?(app: FastifyInstance, ctx: SourceContext): void;
  stop?(): Promise<void>;
  status?(): Record<string, unknown>;
}

/** Drives a pull source into a sink (the engine's ingest) until the signal aborts; returns when the source ends. */
export async function runSource(source: PullSource, signal: AbortSignal, sink: (b: RawBatch) => Promise<unknown>): Promise<void> {
  for await (const batch of source.read(signal)) {
    if (signal.aborted) break;
    await sink(batch);
  }
}
