// Which service an Elasticsearch index (or data stream) stands for, when a bulk document names none of its own.

/** How index names become services: explicit entries first, then (when `strip`) the name without its suffixes. */
export interface IndexServiceRules {
  /** Exact index names, or prefixes ending in `*`, to a service name; the exact name, then the longest prefix, wins. */
  map: Readonly<Record<string, string>>;
  /** Strip a rollover number, a date and a version, and take the dataset of a `logs-<dataset>-<namespace>` data stream. */
  strip: boolean;
}

// -000001 (rollover), -2026.12.03 / -2026-12-03 / -2026.12 / -20261203 (daily or monthly indices), -8.17.0 (Beats' version).
const SUFFIXES = [/[-_]\d{6}$/, /[-_]\d{4}[.-]\d{2}(?:[.-]\d{2})?$/, /[-_]\d{8}$/, /[-_]\d+\.\d+\.\d+(?:-[A-Za-z0-9]+)?$/];
const DATA_STREAM = /^logs-(.+)-([^-]+)$/;

/** The name without its rollover/date/version suffixes and data stream framing; the name itself when nothing is left. */
export function stripIndexName(index: string): string {
  let name = index.startsWith('.ds-') ? index.slice(4) : index;
  for (let changed = true; changed;) {
    changed = false;
    for (const re of SUFFIXES) {
      const next = name.replace(re, '');
      if (next !== name && next.length > 0) { name = next; changed = true; }
    }
  }
  const ds = DATA_STREAM.exec(name);
  if (ds?.[1]) name = ds[1];
  return name.length > 0 ? name : index;
}

export function serviceForIndex(index: string, rules: IndexServiceRules): string {
  const exact = Object.hasOwn(rules.map, index) ? rules.map[index] : undefined;
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestLength = -1;
  for (const [pattern, service] of Object.entries(rules.map)) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (prefix.length > bestLength && index.startsWith(prefix)) { best = service; bestLength = prefix.length; }
  }
  if (best !== undefined) return best;
  return rules.strip ? stripIndexName(index) : index;
}
