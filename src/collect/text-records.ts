// The `text-records` body format: length-prefixed text records, each normalized exactly like one line (newlines inside
// kept), so that multi-line records (stack traces) from a file tail or `logsift ingest --multiline-start` keep their
// shape. Frame: a 4-byte big-endian header (bit 31: the record is the cut head of a longer line; bits 0-30: length)
// and the bytes.
import { DecodeError, registerDecoder, type TextRecord } from './decoders.js';

export const TEXT_RECORDS = 'text-records';
/** The media type `POST /api/v1/logs` takes this format under. */
export const TEXT_RECORDS_MEDIA_TYPE = 'application/x-logsift-text-records';

const CUT = 0x8000_0000;
const MAX_LEN = 0x7fff_ffff;

/** Frames records into one body. */
export function encodeTextRecords(records: readonly { bytes: Uint8Array; cut?: boolean }[]): Buffer {
  let size = 0;
  for (const r of records) size += 4 + r.bytes.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const r of records) {
    if (r.bytes.length > MAX_LEN) throw new Error(`BUG: a text record of ${r.bytes.length} bytes cannot be framed`);
    out.writeUInt32BE((r.cut ? CUT : 0) + r.bytes.length, at);
    out.set(r.bytes, at + 4);
    at += 4 + r.bytes.length;
  }
  return out;
}

/** Splits a body into its records (views into the body); a frame that runs past the end is a DecodeError. */
export function decodeTextRecords(body: Buffer): TextRecord[] {
  const out: TextRecord[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 4 > body.length) throw new DecodeError(`cannot decode text records: a frame header at byte ${at} is cut short (${body.length - at} of 4 bytes)`);
    const h = body.readUInt32BE(at);
    const len = h & MAX_LEN;
    if (at + 4 + len > body.length) throw new DecodeError(`cannot decode text records: the record at byte ${at} claims ${len} bytes but only ${body.length - at - 4} follow`);
    const bytes = body.subarray(at + 4, at + 4 + len);
    out.push(h >= CUT ? { bytes, cut: true } : { bytes });
    at += 4 + len;
  }
  return out;
}

registerDecoder(TEXT_RECORDS, (body) => ({ texts: decodeTextRecords(body) }));
