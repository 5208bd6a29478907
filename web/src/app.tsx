// The shell: navigation between the views, the API key prompt, and the view for the current hash route.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { auth } from './api';
import { href, useRoute, type View } from './router';
import { SearchView } from './views/search';
import { ServicesView } from './views/services';
import { PatternsView } from './views/patterns';
import { AnomaliesView } from './views/anomalies';
import { AlertsView } from './views/alerts';
import { DeadLettersView } from './views/dead-letters';
import { IngestView } from './views/ingest';

const NAV: [View, string][] = [
  ['search', 'Search'], ['services', 'Services'], ['patterns', 'Patterns'], ['anomalies', 'Anomalies'],
  ['alerts', 'Alerts'], ['dead-letters', 'Dead letters'], ['ingest', 'Ingest'],
];

export function App(): JSX.Element {
  const route = useRoute();
  const [, force] = useState(0);
  useEffect(() => auth.subscribe(() => force((n) => n + 1)), []);
  useEffect(() => { document.title = `${NAV.find(([v]) => v === route.view)?.[1] ?? 'logsift'} · logsift`; }, [route.view]);
  const views: Record<View, () => JSX.Element> = {
    search: () => <SearchView route={route} />,
    services: () => <ServicesView route={route} />,
    patterns: () => <PatternsView route={route} />,
    anomalies: () => <AnomaliesView route={route} />,
    alerts: () => <AlertsView route={route} />,
    'dead-letters': () => <DeadLettersView />,
    ingest: () => <IngestView />,
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href={href('search')} aria-label="logsift home"><span class="logo" aria-hidden="true">◆</span> logsift</a>
        <nav aria-label="views">
          <ul>
            {NAV.map(([v, label]) => (
              <li><a href={href(v)} class={route.view === v ? 'active' : ''} aria-current={route.view === v ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>{views[route.view]()}</main>
      {auth.wanted ? <KeyPrompt /> : null}
    </div>
  );
}

/** Asked for when the API answers 401: the key stays in this tab's sessionStorage and goes in the Authorization header. */
function KeyPrompt(): JSX.Element {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); }, []);
  return (
    <div class="modal-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="key-title">
      <form class="modal card" data-testid="key-prompt"
        onSubmit={(e) => { e.preventDefault(); if (key.trim()) auth.setKey(key.trim()); }}>
        <h2 id="key-title">API key required</h2>
        <p class="muted">This logsift server requires an API key. It is kept in this tab's session storage only and sent as an <code>Authorization</code> header, never in a URL.</p>
        {auth.refused ? <p class="error-box" role="alert">That key was refused. Check it, or ask for one with the scope this view needs.</p> : null}
        <label>API key <input ref={input} type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} /></label>
        <div class="actions"><button class="btn primary" type="submit">Continue</button></div>
      </form>
      </div>
    </div>
  );
}
