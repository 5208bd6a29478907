// Parsing-accuracy measures from the log-parsing literature: grouping accuracy (GA) and parsing accuracy (PA).

/**
 * GA: a line is correct when the group the miner put it in holds exactly the lines that share its true template.
 * `predicted[i]` and `truth[i]` are the group keys of line i.
 */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length) throw new Error(`BUG: ${predicted.length} predictions for ${truth.length} lines`);
  if (predicted.length === 0) return 1;
  const trueSize = new Map<string, number>();
  for (const t of truth) trueSize.set(t, (trueSize.get(t) ?? 0) + 1);
  const groups = new Map<string, { truth: string | null; size: number }>();
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] as string, t = truth[i] as string;
    const g = groups.get(p);
    if (!g) groups.set(p, { truth: t, size: 1 });
    else { g.size++; if (g.truth !== t) g.truth = null; }
  }
  let correct = 0;
  for (const g of groups.values()) if (g.truth !== null && trueSize.get(g.truth) === g.size) correct += g.size;
  return correct / predicted.length;
}

/** Collapses runs of whitespace and trims, as the PA comparison does. */
export const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** PA: share of lines whose template text equals the true template (whitespace collapsed). */
export function parsingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length) throw new Error(`BUG: ${predicted.length} predictions for ${truth.length} lines`);
  if (predicted.length === 0) return 1;
  let ok = 0;
  for (let i = 0; i < predicted.length; i++) if (squash(predicted[i] as string) === squash(truth[i] as string)) ok++;
  return ok / predicted.length;
}
