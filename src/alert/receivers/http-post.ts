// One HTTP POST for the HTTP receivers: a per-request timeout joined with the caller's signal, and the response
// status classified into a DeliveryResult (2xx ok; 408, 429, 5xx, network errors and timeouts retryable; other 4xx
// and 3xx given up at once).
import type { DeliveryResult } from '../model.js';
import { errorMessage } from '../../errors.js';

export interface PostRequest {
  /** Names the receiver in error messages. The URL is never put in a message: for Slack it is the secret. */
  receiver: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

/** How much of an error response body is kept in the error message. */
const MAX_ERROR_BODY_CHARS = 200;

/** Whether a non-2xx HTTP status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs `body` and classifies the outcome. It never throws. Redirects are not followed (a 3xx is not retryable):
 * a POST body must not be replayed at an address the configuration did not name.
 */
export async function post(req: PostRequest): Promise<DeliveryResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([req.signal, timeout]);
  let res: Response;
  try {
    res = await fetch(req.url, { method: 'POST', body: req.body, headers: req.headers, signal, redirect: 'manual' });
  } catch (err) {
    return { ok: false, retryable: true, error: `cannot deliver to ${req.receiver}: ${abortReason(req, timeout) ?? networkError(err)}` };
  }
  let text = '';
  try {
    text = await res.text();
  } catch (err) {
    // The status already decides the outcome; a body cut short by the timeout only loses the error detail.
    text = `(response body unreadable: ${abortReason(req, timeout) ?? errorMessage(err)})`;
  }
  if (res.status >= 200 && res.status < 300) return { ok: true };
  const detail = clean(text).slice(0, MAX_ERROR_BODY_CHARS);
  const retryable = isRetryableStatus(res.status);
  const hint = res.status >= 300 && res.status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
  return { ok: false, retryable, error: `cannot deliver to ${req.receiver}: HTTP ${res.status}${hint}${detail ? `: ${detail}` : ''}` };
}

function abortReason(req: PostRequest, timeout: AbortSignal): string | undefined {
  if (timeout.aborted) return `no response within timeoutMs=${req.timeoutMs}`;
  if (req.signal.aborted) return 'aborted by the caller';
  return undefined;
}

/** fetch's own message is "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND ...) is in its cause. */
function networkError(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause === undefined ? errorMessage(err) : `${errorMessage(err)}: ${errorMessage(cause)}`;
}

/** Response bodies come from elsewhere: keep them on one printable line. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
