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
    if (pattern.test('')) throw new ConfigError(`patterns.maskRules[${i}].pattern`, `matches the empty string (rule ${r.name}); it must match at least one character`);
    return { name: r.name, pattern, ...(r.replacement !== undefined ? { replacement: r.replacement } : {}) };
  });
  return { ...c, maskRules };
}
