// Worker-thread entry: runs intake jobs posted by IntakePool and transfers the serialized bytes back.
import { parentPort, workerData } from 'node:worker_threads';
import { createJobRunner, type IntakeJob, type IntakeSettings } from './jobs.js';

const run = createJobRunner(workerData as IntakeSettings);
const port = parentPort;
if (!port) throw new Error('BUG: intake worker started outside a worker thread');

port.on('message', (msg: { id: number; job: IntakeJob }) => {
  try {
    const out = run(msg.job);
    if (!out.ok) { port.postMessage({ id: msg.id, out }); return; }
    const { batch } = out;
    // Copy into an exactly-sized buffer we own, so it can be transferred (not cloned) to the main thread.
    const bytes = new Uint8Array(batch.buf.length);
    bytes.set(batch.buf);
    const slots = Float64Array.from(batch.slots);
    // The decoder's items, per-item errors and report travel with the batch.
    port.postMessage({ id: msg.id, out: { ...out, batch: { ...batch, buf: bytes, slots } } }, [bytes.buffer, slots.buffer]);
  } catch (err) {
    port.postMessage({ id: msg.id, error: (err as Error).stack ?? String(err) });
  }
});
