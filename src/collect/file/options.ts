// Options of the `file` source: their JSON schema (with defaults) and the checks a schema cannot make (regexes).
import { ConfigError } from '../../errors.js';
import type { MultilineOptions } from './multiline.js';

export interface FileSourceOptions {
  name: string;
  include: string[];
  exclude: string[];
  startAt: 'beginning' | 'end';
  pollIntervalMs: number;
  scanIntervalMs: number;
  readBytes: number;
  maxLineBytes: number;
  partialLineTimeoutMs: number;
  rotateWaitMs: number;
  closeIdleMs: number;
  multiline?: MultilineOptions;
  service?: string;
  serviceFromPath?: string;
  checkpointIntervalMs: number;
  maxOpenFiles: number;
  ignoreOlderThanMs: number;
}

const int = (min: number, def: number, max = 2 ** 31 - 1) => ({ type: 'integer', minimum: min, maximum: max, default: def });

export const fileSourceSchema = {
  type: 'object' as const,
  required: ['include'],
  properties: {
    include: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1, pattern: '^/' } },
    exclude: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    startAt: { enum: ['beginning', 'end'], default: 'beginning' },
    pollIntervalMs: int(10, 250, 60_000),
    scanIntervalMs: int(10, 1000, 3_600_000),
    readBytes: int(4096, 1 << 20, 64 << 20),
    maxLineBytes: int(64, 1 << 20, 256 << 20),
    partialLineTimeoutMs: int(0, 0),
    rotateWaitMs: int(0, 5000),
    closeIdleMs: int(100, 60_000),
    multiline: {
      type: 'object', additionalProperties: false, required: ['startPattern'],
      properties: {
        startPattern: { type: 'string', minLength: 1, maxLength: 1000 },
        negate: { type: 'boolean', default: false },
        maxLines: int(1, 500),
        maxBytes: int(64, 65_536, 256 << 20),
        timeoutMs: int(10, 1000),
      },
    },
    service: { type: 'string', minLength: 1, maxLength: 256 },
    serviceFromPath: { type: 'string', minLength: 1, maxLength: 1000 },
    checkpointIntervalMs: int(0, 0),
    maxOpenFiles: int(1, 256, 100_000),
    ignoreOlderThanMs: int(0, 0),
  },
};

/** Checks what the schema cannot: the regexes compile, serviceFromPath has a capture group. */
export function checkFileOptions(o: FileSourceOptions, key: string): void {
  const compile = (src: string, at: string) => {
    try { return new RegExp(src); } catch (err) { throw new ConfigError(`${key}.${at}`, `is not a valid regular expression: ${(err as Error).message}`); }
  };
  if (o.multiline) compile(o.multiline.startPattern, 'multiline.startPattern');
  if (o.serviceFromPath !== undefined) {
    const re = compile(o.serviceFromPath, 'serviceFromPath');
    if (new RegExp(`${re.source}|`).exec('')?.length === 1) throw new ConfigError(`${key}.serviceFromPath`, 'needs a capture group (named `service`, or the first group) around the service name, e.g. "/var/log/([^/]+)\\\\.log$"');
  }
  if (o.service !== undefined && o.serviceFromPath !== undefined) throw new ConfigError(`${key}.service`, 'set either service or serviceFromPath, not both');
  if (o.maxLineBytes > o.readBytes * 64) throw new ConfigError(`${key}.maxLineBytes`, `must be at most 64 x readBytes (${o.readBytes * 64})`);
}

/** The service a file's records get when they name none, from the options (undefined: normalize.defaultService). */
export function serviceOf(o: FileSourceOptions, re: RegExp | undefined, path: string): string | undefined {
  if (o.service !== undefined) return o.service;
  if (!re) return undefined;
  const m = re.exec(path);
  const s = m?.groups?.service ?? m?.[1];
  return s ? s : undefined;
}
