// The dashboard's only way to the server: fetch with the API key (kept in sessionStorage, never in a URL), typed errors.

const KEY_STORAGE = 'logsift.apiKey';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

type Listener = () => void;
const authListeners = new Set<Listener>();
let keyWanted = false;
let keyRefused = false;
let waiting: (() => void)[] = [];

export const auth = {
  get key(): string | null { try { return sessionStorage.getItem(KEY_STORAGE); } catch { return null; } },
  get wanted(): boolean { return keyWanted; },
  /** The key last given was answered with 401. */
  get refused(): boolean { return keyRefused; },
  subscribe(l: Listener): () => void { authListeners.add(l); return () => authListeners.delete(l); },
  /** Stores the key for this tab's session and retries the requests that were refused. */
  setKey(key: string): void {
    try { sessionStorage.setItem(KEY_STORAGE, key); } catch { /* private mode: the key lives until reload */ memoryKey = key; }
    keyWanted = false;
    const w = waiting; waiting = [];
    for (const r of w) r();
    authListeners.forEach((l) => l());
  },
  forget(): void {
    try { sessionStorage.removeItem(KEY_STORAGE); } catch { /* nothing stored */ }
    memoryKey = null;
  },
};
let memoryKey: string | null = null;

function authHeaders(): Record<string, string> {
  const key = auth.key ?? memoryKey;
  return key ? { authorization: `Bearer ${key}` } : {};
}

function askForKey(): Promise<void> {
  keyWanted = true;
  authListeners.forEach((l) => l());
  return new Promise((resolve) => waiting.push(resolve));
}

/** fetch with the key; a 401 asks the user for a key and retries once it is given. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const res = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...authHeaders() } });
    if (res.status !== 401) return res;
    keyRefused = Object.keys(authHeaders()).length > 0;
    auth.forget();
    await askForKey();
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return new ApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `HTTP ${res.status}`);
  } catch {
    return new ApiError(res.status, 'http_error', `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}

export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}, signal?: AbortSignal): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  const res = await apiFetch(s ? `${path}?${s}` : path, signal ? { signal } : {});
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers = { 'content-type': 'application/json' }; }
  const res = await apiFetch(path, init);
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export async function getText(path: string): Promise<{ status: number; text: string }> {
  const res = await apiFetch(path);
  return { status: res.status, text: await res.text() };
}

// ---- shapes of the API's answers (docs/api.md) ----

export type Row = Record<string, unknown>;
export interface QueryResult { kind: string; columns: string[]; rows: Row[]; took_ms: number }

export interface Anomaly {
  anomaly_id: string; detected_at: string; window_start: string; window_end: string; anomaly_type: string; severity: string;
  service: string; description: string; score: number; confidence: number; evidence: Record<string, unknown>; status: string;
}

export interface PatternRow {
  template_id: string; service: string; template: string; count: number; previous_count: number; change: number; new: boolean;
  first_seen: string | null; last_seen: string | null; examples: string[]; sparkline: number[];
}

export interface DeadLetter {
  id: string; received_at: string; source: string; reason: string; error: string; raw_base64: string; raw_text: string | null;
  size: number; original_bytes: number; service_hint: string | null; replay_count: number; replayed_at: string | null;
}

export interface Matcher { name: string; value: string; isRegex: boolean; isEqual: boolean }
/** A matcher as Alertmanager writes it: name="value", name!="value", name=~"regex", name!~"regex". */
export function matcherText(m: Matcher | string): string {
  if (typeof m === 'string') return m;
  const op = m.isEqual ? (m.isRegex ? '=~' : '=') : (m.isRegex ? '!~' : '!=');
  return `${m.name}${op}"${m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
export interface Silence { id: string; matchers: (Matcher | string)[]; startsAt: string; endsAt: string; createdBy: string; comment: string; state: string }
export interface Alert { fingerprint: string; labels: Record<string, string>; annotations: Record<string, string>; status: string; startsAt: string; endsAt?: string; generatorURL: string; samples: string[]; windowStart: string; windowEnd: string }
export interface AlertEntry { alert: Alert; state: string; silencedBy: string[]; inhibitedBy: string[] }
export interface Delivery { id: string; receiver: string; queuedAt: string; state: string; attempts: { at: string; ok: boolean; error?: string; ms: number }[]; notification: { status?: string; alerts?: { labels: Record<string, string> }[] } }
export interface SourceInfo { name: string; type: string; received: number; accepted: number; rejected: number; rejected_by_reason: Record<string, number>; bytes: number; status?: Record<string, unknown> }

/** Runs a query through GET /api/v1/query. */
export function query(q: string, opts: { start?: string; end?: string; limit?: number } = {}, signal?: AbortSignal): Promise<QueryResult> {
  return getJson<QueryResult>('/api/v1/query', { q, start: opts.start, end: opts.end, limit: opts.limit }, signal);
}

/** Quotes a value for the query language (field values, phrases). */
export function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
