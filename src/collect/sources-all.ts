// Registers every source type (each module calls registerSourceType when imported). Imported by the composition root;
// add one import line per source type here.
import './file/source.js';
