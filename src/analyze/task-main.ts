// Lean entry for cluster tasks: `node dist/analyze/task-main.js chunk|merge`, JSON on stdin, a partial on stdout.
// It loads only the analysis modules (the full CLI takes twice as long to start, paid once per task).
import { text } from 'node:stream/consumers';
import { runTask } from './task.js';

const kind = process.argv[2];
if (kind !== 'chunk' && kind !== 'merge') {
  process.stderr.write('usage: node dist/analyze/task-main.js chunk|merge < task.json > partial.json\n');
  process.exit(2);
}
runTask(kind, await text(process.stdin)).then(
  (out) => { process.stdout.write(out); },
  (err: unknown) => { process.stderr.write(`logsift analyze ${kind}: ${err instanceof Error ? err.message : String(err)}\n`); process.exit(1); },
);
