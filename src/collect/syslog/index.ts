// Registers the `syslog` source type (off until listed in `sources`).
import { registerSourceType } from '../registry.js';
import type { SyslogOptions } from './options.js';
import { syslogSchema } from './options.js';
import { createSyslogSource } from './syslog-source.js';

registerSourceType({
  type: 'syslog',
  schema: syslogSchema,
  create: (options) => createSyslogSource(options as unknown as SyslogOptions),
});
