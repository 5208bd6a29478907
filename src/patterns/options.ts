// Miner options from the `patterns` config section; user masking rules are compiled (and checked) here, at start.
import { ConfigError, errorMessage } from '../errors.js';
import type { Config } from '../config.js';
import type { PatternsOptions } from './stage.js';

export function patternsOptions(c: Config['patterns']): PatternsOptions {
  const maskRules = c.maskRules.map((r, i) => {
    let pattern: RegExp;
    try { pattern = new RegExp(r.pattern, 'g'); } catch (err) {
      throw new ConfigError(`patterns.maskRules[${i}].pattern`, `is not a valid regular expression (rule ${r.name}): ${errorMessage(err)}`, { cause: err });
    }
    // A rule that can match empty text would insert <*> between characters: refuse it (probed on a few samples).
    for (const sample of ['', 'a', 'a b', 'word 123 x=y', '"q" /p:1']) {
      for (const m of sample.matchAll(pattern)) {
        if (m[0] === '') throw new ConfigError(`patterns.maskRules[${i}].pattern`, `can match empty text (rule ${r.name}); it must match at least one character`);
      }
    }
    return { name: r.name, pattern, ...(r.replacement !== undefined ? { replacement: r.replacement } : {}) };
  });
  return { ...c, maskRules };
}
