// A tiny data hook: runs a loader when its key changes, aborts the previous run, optionally refreshes on an interval.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> { data: T | null; error: string | null; loading: boolean; reload: () => void }

export function useFetch<T>(load: (signal: AbortSignal) => Promise<T>, key: unknown[], refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    load(ctl.signal).then((d) => { if (!ctl.signal.aborted) { setData(d); setError(null); setLoading(false); } })
      .catch((err: unknown) => { if (!ctl.signal.aborted) { setError(err instanceof ApiError ? err.message : String(err)); setLoading(false); } });
    const t = refreshMs ? setTimeout(() => setTick((n) => n + 1), refreshMs) : undefined;
    return () => { ctl.abort(); if (t) clearTimeout(t); };
  }, [...key, tick]);
  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}
