// The two task kinds a cluster runs, from JSON text to JSON text: a chunk to its partial, partials to their merge.
import { patternsOptions } from '../patterns/options.js';
import { mergePartials, treeMerge } from './merge.js';
import { emptyPartial, type AnalysisPartial } from './partial.js';
import { processChunk, type AnalyzeConfig, type AnalyzeSettings, type ChunkTask } from './process-chunk.js';

/** The merge of two partials made with these settings and config (the miner options and key limits they used). */
export function mergeWith(settings: AnalyzeSettings, config: AnalyzeConfig): (a: AnalysisPartial, b: AnalysisPartial) => AnalysisPartial {
  const minerOpts = patternsOptions(config.patterns);
  return (a, b) => mergePartials(a, b, minerOpts, { maxKeys: settings.maxKeys, samples: 3 });
}

/** `chunk`: a ChunkTask to its partial. `merge`: {settings, config, partials} to their tree merge (empty for none). */
export async function runTask(kind: 'chunk' | 'merge', input: string): Promise<string> {
  if (kind === 'chunk') return JSON.stringify(await processChunk(JSON.parse(input) as ChunkTask));
  const m = JSON.parse(input) as { settings: AnalyzeSettings; config: AnalyzeConfig; partials: AnalysisPartial[] };
  return JSON.stringify(treeMerge(m.partials, mergeWith(m.settings, m.config), () => emptyPartial(m.config.detect.windowMs, m.settings.bucketMs)));
}
