// The Elasticsearch bulk body decoder (runs on the intake workers): NDJSON action/document pairs in, the documents as
// values plus one entry per action (its index, id, and the value it became or why it failed) for the bulk response.
import { randomBytes } from 'node:crypto';
import { DecodeError, registerDecoder, type ValuesDecoded } from '../decoders.js';
import { hasField } from '../../normalize/field-map.js';
import { serviceForIndex, type IndexServiceRules } from './index-service.js';

export const BULK_FORMAT = 'elasticsearch_bulk';

export type BulkOp = 'index' | 'create' | 'update' | 'delete';

/** An item error in Elasticsearch's terms. */
export interface EsItemError { status: number; type: string; reason: string }

/** One action of the body, in order. `value` is the index of its document among the decoded values, -1 for none. */
export interface BulkItem { op: BulkOp; index: string; id: string; value: number; error?: EsItemError }

export interface BulkDecoded { items: BulkItem[] }

/**
 * What the route tells the decoder besides the client's body (SourceBatch.decoderOptions): the index named by the URL
 * and the index-to-service rules.
 */
export interface BulkHeader extends IndexServiceRules { index: string | null }

const OPS = new Set<string>(['index', 'create', 'update', 'delete']);
const fatal = new TextDecoder('utf-8', { fatal: true });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Elasticsearch-style auto ids: 20 URL-safe base64 characters (120 random bits), drawn from a pooled buffer. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function newId(): string {
  if (poolAt + 15 > pool.length) { pool = randomBytes(15 * 1024); poolAt = 0; }
  poolAt += 15;
  return pool.toString('base64url', poolAt - 15, poolAt);
}

/** Puts the index's service on a document that names none of its own (a colliding non-service value is renamed). */
function withService(doc: Record<string, unknown>, service: string): Record<string, unknown> {
  if (hasField(doc, 'service')) return doc;
  const own = doc.service;
  if (own === undefined) { doc.service = service; return doc; }
  if (isPlainObject(own) && !Object.hasOwn(own, 'name')) { doc.service = { ...own, name: service }; return doc; }
  doc.service_original = own;
  doc.service = service;
  return doc;
}

function checkHeader(h: unknown): BulkHeader {
  const x = h as BulkHeader | undefined;
  if (!x || typeof x.strip !== 'boolean' || !isPlainObject(x.map)) throw new Error('BUG: the bulk route passed no index rules');
  return x;
}

export function decodeBulk(body: Buffer, ctx: { options?: unknown }): ValuesDecoded {
  const header = checkHeader(ctx.options);
  let text: string;
  try { text = fatal.decode(body); } catch { throw new DecodeError('the bulk body is not valid UTF-8'); }
  let at = 0;
  let lineNo = 0;
  /** The next line (without \r\n), or undefined at the end of the body. */
  const next = (): string | undefined => {
    if (at >= text.length) return undefined;
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    at = end + 1;
    lineNo++;
    return line;
  };
  const services = new Map<string, string>();
  const serviceOf = (index: string) => {
    let s = services.get(index);
    if (s === undefined) { s = serviceForIndex(index, header); services.set(index, s); }
    return s;
  };
  const values: unknown[] = [];
  const items: BulkItem[] = [];
  for (let line = next(); line !== undefined; line = next()) {
    if (line.trim().length === 0) continue;
    const actionLine = lineNo;
    let action: unknown;
    try { action = JSON.parse(line); } catch (err) {
      throw new DecodeError(`malformed action/metadata line [${actionLine}]: ${(err as Error).message}`);
    }
    const keys = isPlainObject(action) ? Object.keys(action) : [];
    const op = keys[0];
    if (keys.length !== 1 || op === undefined || !OPS.has(op)) {
      throw new DecodeError(`malformed action/metadata line [${actionLine}], expected one of index, create, update or delete but found [${keys.join(', ') || typeof action}]`);
    }
    const meta = (action as Record<string, unknown>)[op];
    if (meta !== null && !isPlainObject(meta)) throw new DecodeError(`malformed action/metadata line [${actionLine}], expected an object after [${op}]`);
    const givenIndex = meta?._index;
    const index = typeof givenIndex === 'string' && givenIndex.length > 0 ? givenIndex : header.index;
    const givenId = meta?._id;
    const id = typeof givenId === 'string' && givenId.length > 0 ? givenId : typeof givenId === 'number' ? String(givenId) : newId();
    const item: BulkItem = { op: op as BulkOp, index: index ?? '', id, value: -1 };
    items.push(item);
    if (op === 'delete') {
      item.error = { status: 400, type: 'illegal_argument_exception', reason: 'logsift is a log store: documents cannot be deleted; send index or create actions' };
      continue;
    }
    const source = next();
    if (source === undefined) throw new DecodeError(`the bulk body ends after the action on line [${actionLine}] without its document`);
    if (op === 'update') {
      item.error = { status: 400, type: 'illegal_argument_exception', reason: 'logsift is a log store: documents cannot be updated; send index or create actions' };
      continue;
    }
    if (index === null) {
      item.error = { status: 400, type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' };
      continue;
    }
    let doc: unknown;
    try { doc = JSON.parse(source); } catch (err) {
      // The document becomes a dead letter (not_an_object, its text kept); the response names the parse error.
      item.error = { status: 400, type: 'document_parsing_exception', reason: `[${lineNo}] failed to parse the document: ${(err as Error).message}` };
      doc = source;
    }
    item.value = values.length;
    values.push(isPlainObject(doc) ? withService(doc, serviceOf(index)) : doc);
  }
  const decoded: BulkDecoded = { items };
  return { values, decoded };
}

registerDecoder(BULK_FORMAT, decodeBulk);
