// Worker-thread entry of the local executor: processes the chunk tasks it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { processChunk, type ChunkTask } from './process-chunk.js';

if (!parentPort) throw new Error('BUG: analyze/worker.js must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { id: number; task: ChunkTask }) => {
  processChunk(msg.task).then(
    (partial) => port.postMessage({ id: msg.id, partial }),
    (err: unknown) => port.postMessage({ id: msg.id, error: errorMessage(err) }),
  );
});
