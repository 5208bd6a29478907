// The Loki push body decoders (run on the intake workers): JSON and snappy-compressed protobuf PushRequest bodies to
// one flat object per entry, in order.
import snappy from 'snappy';
import { DecodeError, registerDecoder, type DecodeContext, type ValuesDecoded } from '../decoders.js';
import { protoType } from '../proto-files.js';
import { LabelSyntaxError, parseLabels } from './labels.js';
import { mapEntry, mappingFrom, nanosStringToIso, secondsNanosToIso, type Entry } from './map.js';

export const LOKI_JSON = 'loki_json';
export const LOKI_PROTOBUF = 'loki_protobuf';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function labelMap(pairs: [string, string][]): Map<string, string> {
  return new Map(pairs);
}

export function decodeLokiJson(body: Buffer, ctx: DecodeContext): ValuesDecoded {
  let parsed: unknown;
  try { parsed = JSON.parse(body.toString('utf8')); } catch (err) {
    throw new DecodeError(`cannot parse the Loki JSON body: ${(err as Error).message}`);
  }
  if (!isObj(parsed) || !Array.isArray(parsed.streams)) throw new DecodeError('the Loki push body must be {"streams": [...]}');
  const mapping = mappingFrom(ctx.options);
  const values: Obj[] = [];
  parsed.streams.forEach((s, si) => {
    if (!isObj(s) || !isObj(s.stream) || !Array.isArray(s.values)) throw new DecodeError(`streams[${si}] must be {"stream": {labels}, "values": [[ts, line], ...]}`);
    const labels = new Map<string, string>();
    for (const [k, v] of Object.entries(s.stream)) {
      if (typeof v !== 'string') throw new DecodeError(`streams[${si}].stream.${k} must be a string`);
      labels.set(k, v);
    }
    s.values.forEach((e, ei) => {
      if (!Array.isArray(e) || e.length < 2 || e.length > 3 || typeof e[1] !== 'string') {
        throw new DecodeError(`streams[${si}].values[${ei}] must be ["<epoch ns>", "<line>"] or ["<epoch ns>", "<line>", {structured metadata}]`);
      }
      const ts = e[0];
      const raw = typeof ts === 'string' ? ts : typeof ts === 'number' ? String(ts) : '';
      const structured: [string, string][] = [];
      if (e.length === 3 && e[2] !== null) {
        if (!isObj(e[2])) throw new DecodeError(`streams[${si}].values[${ei}][2] must be an object of structured metadata`);
        for (const [k, v] of Object.entries(e[2])) structured.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
      }
      const entry: Entry = { timestamp: nanosStringToIso(raw) ?? raw, line: e[1], structured };
      values.push(mapEntry(labels, entry, mapping, ctx.normalize, ctx.receivedAt));
    });
  });
  return { values };
}

interface ProtoEntry { timestamp?: { seconds?: { toNumber(): number } | number; nanos?: number }; line?: string; structuredMetadata?: { name?: string; value?: string }[] }
interface ProtoStream { labels?: string; entries?: ProtoEntry[] }

/** Decodes an already-decompressed protobuf PushRequest. */
export function decodePushRequest(bytes: Uint8Array, ctx: DecodeContext): ValuesDecoded {
  let msg: { streams?: ProtoStream[] };
  try {
    msg = protoType('logproto/push.proto', 'logproto.PushRequest').decode(bytes) as unknown as { streams?: ProtoStream[] };
  } catch (err) {
    throw new DecodeError(`not a Loki PushRequest: ${(err as Error).message}`);
  }
  const mapping = mappingFrom(ctx.options);
  const values: Obj[] = [];
  for (const s of msg.streams ?? []) {
    let labels: Map<string, string>;
    try { labels = labelMap(parseLabels(s.labels ?? '')); } catch (err) {
      if (err instanceof LabelSyntaxError) throw new DecodeError(err.message);
      throw err;
    }
    for (const e of s.entries ?? []) {
      const sec = e.timestamp?.seconds;
      const seconds = typeof sec === 'number' ? sec : sec ? sec.toNumber() : 0;
      const nanos = e.timestamp?.nanos ?? 0;
      const timestamp = seconds === 0 && nanos === 0 ? undefined : (secondsNanosToIso(seconds, nanos) ?? `(seconds ${seconds}, nanos ${nanos})`);
      const structured = (e.structuredMetadata ?? []).map((p) => [p.name ?? '', p.value ?? ''] as const).filter(([k]) => k.length > 0);
      values.push(mapEntry(labels, { timestamp, line: e.line ?? '', structured }, mapping, ctx.normalize, ctx.receivedAt));
    }
  }
  return { values };
}

/** The uncompressed length a snappy block states in its header (a varint), or -1 when the header is broken. */
export function snappyLength(body: Uint8Array): number {
  let n = 0;
  for (let i = 0, shift = 0; i < 5 && i < body.length; i++, shift += 7) {
    const b = body[i] ?? 0;
    n += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return n;
  }
  return -1;
}

export function decodeLokiProtobuf(body: Buffer, ctx: DecodeContext): ValuesDecoded {
  let raw: Buffer;
  try {
    raw = snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new DecodeError(`cannot snappy-decompress the body (Loki protobuf pushes are snappy block-compressed): ${(err as Error).message}`);
  }
  return decodePushRequest(raw, ctx);
}

registerDecoder(LOKI_JSON, decodeLokiJson);
registerDecoder(LOKI_PROTOBUF, decodeLokiProtobuf);
