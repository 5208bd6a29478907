// Registers every source type (each module calls registerSourceType when imported). Imported by the composition root;
// add one import line per source type here.
import './elasticsearch/source.js';
import './syslog/index.js';
import './otlp/source.js';
import './loki/source.js';
import './file/source.js';
