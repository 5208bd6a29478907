// Protocol body decoders, run on the intake worker threads: each turns a request body of its protocol into plain
// objects that normalize/ maps like a JSON record. One entry per protocol; the sources name them as body formats.
import type { NormalizeOptions } from '../normalize/index.js';

/**
 * A text record: its bytes are normalized exactly like one line of a `lines` body (UTF-8 checked, maxLineBytes, format
 * detection), newlines inside kept. `cut` marks the head of a line the sender cut at its own limit: a line_too_long
 * dead letter holding that head.
 */
export interface TextRecord { bytes: Uint8Array; cut?: boolean }

/**
 * Items decoded from one body, in order: plain values mapped like JSON records (`decoded` is returned to the source as
 * is, e.g. bulk actions for its response), or text records normalized like lines (syslog frames, multi-line records
 * of a file tail: a record may hold line breaks).
 */
export interface ValuesDecoded { values: unknown[]; decoded?: unknown }
export interface TextsDecoded { texts: TextRecord[]; decoded?: unknown }
export type Decoded = ValuesDecoded | TextsDecoded;

/** A body that cannot be decoded at all throws this; the engine keeps the body as one dead letter with the message. */
export class DecodeError extends Error {}

/**
 * A decoder: pure, synchronous, no I/O (it runs on a worker thread). Values are plain objects with the log schema's
 * field names (timestamp, level, service, message, host, trace_id, span_id, user_id, ip_address) where the protocol
 * has them, and every other attribute as a top-level key under its original name (it becomes metadata). A value that
 * is not a record the decoder can map may be any JSON value: normalize/ dead-letters it with its reason.
 */
export type Decoder = (body: Buffer, ctx: DecodeContext) => Decoded;

/**
 * What a decoder may know besides the body: the normalize options (a decoder that parses text lines itself uses
 * them), the time received, and the source's own decoder options (SourceBatch.decoderOptions, plain JSON data).
 */
export interface DecodeContext { readonly normalize: NormalizeOptions; readonly receivedAt: Date; readonly options?: unknown }

const decoders = new Map<string, Decoder>();

export function registerDecoder(name: string, decoder: Decoder): void {
  if (name === 'lines' || name === 'json') throw new Error(`BUG: "${name}" is a built-in body format`);
  decoders.set(name, decoder);
}

export function decoderFor(name: string): Decoder | undefined {
  return decoders.get(name);
}
