// Hash routing (#/search?q=...&start=...&end=...): alert links point at /#/search, which the server redirects to /ui/.
import { useEffect, useState } from 'preact/hooks';

export const VIEWS = ['search', 'services', 'patterns', 'anomalies', 'alerts', 'dead-letters', 'ingest'] as const;
export type View = (typeof VIEWS)[number];

export interface Route { view: View; params: URLSearchParams; sub: string | undefined }

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const qi = h.indexOf('?');
  const path = qi === -1 ? h : h.slice(0, qi);
  const [name, sub] = path.split('/');
  const view = (VIEWS as readonly string[]).includes(name ?? '') ? (name as View) : 'search';
  return { view, params: new URLSearchParams(qi === -1 ? '' : h.slice(qi + 1)), sub: sub ? decodeURIComponent(sub) : undefined };
}

export function href(view: View, params: Record<string, string | undefined> = {}, sub?: string): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, v);
  const s = qs.toString();
  return `#/${view}${sub ? `/${encodeURIComponent(sub)}` : ''}${s ? `?${s}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => { window.removeEventListener('hashchange', on); window.removeEventListener('popstate', on); };
  }, []);
  return route;
}
