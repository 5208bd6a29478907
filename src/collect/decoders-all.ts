// Registers every protocol decoder. Imported by the intake job runner (src/intake/jobs.ts), on each worker thread.
// Each protocol module calls registerDecoder() when imported; add one import line per protocol here.
import './elasticsearch/bulk-decoder.js';
import './syslog/decoder.js';
import './otlp/decode.js';
import './loki/decode.js';
import './text-records.js';
