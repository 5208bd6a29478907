// A small HTTP client for the CLI commands that talk to a running server.
import { LogsiftError } from '../errors.js';

export interface ClientOptions { url: string }

export class ApiError extends LogsiftError {
  constructor(readonly status: number, message: string) {
    super('http_bad_request', message);
  }
}

/**
 * Adds the API key from LOGSIFT_API_KEY (never a flag: a key on the command line shows in `ps` and shell history).
 * For a server with a self-signed certificate, point NODE_EXTRA_CA_CERTS at its CA.
 */
export function withKey(init: RequestInit = {}): RequestInit {
  const key = process.env.LOGSIFT_API_KEY;
  if (!key) return init;
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
  return { ...init, headers };
}

export async function api<T>(opts: ClientOptions, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.url), withKey(init));
  } catch (err) {
    throw new LogsiftError('http_bad_request', `cannot reach logsift at ${opts.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message} (is \`logsift serve\` running? set --url or LOGSIFT_URL)`);
  }
  const text = await res.text();
  let body: unknown;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
  if (!res.ok) {
    const msg = (body as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    throw new ApiError(res.status, `${res.status}: ${msg}`);
  }
  return body as T;
}

export const defaultUrl = () => process.env.LOGSIFT_URL ?? `http://127.0.0.1:${process.env.LOGSIFT_PORT ?? '8080'}`;
