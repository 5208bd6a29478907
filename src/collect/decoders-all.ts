// Registers every protocol decoder. Imported by the intake job runner (src/intake/jobs.ts), on each worker thread.
// Each protocol module calls registerDecoder() when imported; add one import line per protocol here.
import './text-records.js';
