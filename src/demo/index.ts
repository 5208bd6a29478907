// The demo generator's public surface: realistic seeded logs for `serve --demo` and the benchmark.
export { createGenerator, DEFAULT_SERVICES, type Generator, type GeneratorOptions } from './generator.js';
export { writeNdjsonFile } from './write-file.js';
export { INCIDENT_KINDS, type Incident, type IncidentKind } from './incidents.js';
export { SERVICES } from './services.js';
