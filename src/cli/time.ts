// Times given on the command line: RFC 3339, epoch milliseconds, or a duration back from now (`24h`, `90m`, `1h30m`).
import { ConfigError } from '../errors.js';
import { parseDuration } from '../query/duration.js';

/** The instant `text` names, as epoch ms; throws ConfigError naming the flag. */
export function instantMs(flag: string, text: string, nowMs: number): number {
  const back = parseDuration(text);
  if (back !== undefined) return nowMs - Number(back / 1_000_000n);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms)) throw new ConfigError(flag, `"${text}" is not a time: RFC 3339, epoch milliseconds, or a duration back from now such as 24h or 90m`);
  return ms;
}
