// The Source interface: every input (demo generator now; syslog, OTLP, file tail ... later) is one unit behind it.

/** A batch of raw input: newline-separated lines in any supported format. */
export interface RawBatch { body: Buffer; service?: string }

/**
 * A source yields raw batches until `signal` aborts. It must apply backpressure (the next batch is produced only
 * after the consumer asked for it) and must never buffer without bound.
 */
export interface Source {
  readonly name: string;
  read(signal: AbortSignal): AsyncIterable<RawBatch>;
}

/** Drives a source into a sink (the engine's ingest) until the signal aborts; returns when the source ends. */
export async function runSource(source: Source, signal: AbortSignal, sink: (b: RawBatch) => Promise<unknown>): Promise<void> {
  for await (const batch of source.read(signal)) {
    if (signal.aborted) break;
    await sink(batch);
  }
}
