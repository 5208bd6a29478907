// A pool of intake worker threads, so normalization uses every core; with 0 workers jobs run inline.
import { Worker } from 'node:worker_threads';
import { createJobRunner, type IntakeJob, type IntakeOutcome, type IntakeSettings } from './jobs.js';
import type { SerializedBatch } from './serialize.js';

interface Slot { worker: Worker; inflight: Map<number, { resolve: (o: IntakeOutcome) => void; reject: (e: Error) => void; bytes: number }> }

/** The pool must resolve each job with its outcome or reject it; a crashed worker fails only its own jobs and is replaced. */
export class IntakePool {
  private slots: Slot[] = [];
  private nextId = 1;
  private inline: ((job: IntakeJob) => IntakeOutcome) | undefined;
  private closing = false;
  /** Bytes of bodies handed to workers and not yet returned (for backpressure). */
  pendingBytes = 0;

  constructor(private readonly settings: IntakeSettings, workers: number) {
    if (workers <= 0) this.inline = createJobRunner(settings);
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: this.settings });
    const slot: Slot = { worker, inflight: new Map() };
    worker.on('message', (msg: { id: number; out?: IntakeOutcome & { batch?: SerializedBatch & { slots: Float64Array | number[] } }; error?: string }) => {
      const p = slot.inflight.get(msg.id);
      if (!p) return;
      slot.inflight.delete(msg.id);
      this.pendingBytes -= p.bytes;
      if (msg.error !== undefined || !msg.out) { p.reject(new Error(`intake worker failed: ${msg.error ?? 'no result'}`)); return; }
      const out = msg.out;
      if (out.ok) {
        const b = out.batch;
        p.resolve({ ...out, batch: { ...b, buf: Buffer.from(b.buf.buffer, b.buf.byteOffset, b.buf.byteLength), slots: Array.from(b.slots) } });
      } else {
        p.resolve(out);
      }
    });
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => { if (!this.closing) this.fail(slot, new Error(`intake worker exited with code ${code}`)); });
    worker.unref();
    return slot;
  }

  private fail(slot: Slot, err: Error): void {
    for (const p of slot.inflight.values()) { this.pendingBytes -= p.bytes; p.reject(err); }
    slot.inflight.clear();
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closing) {
      void slot.worker.terminate();
      this.slots[i] = this.spawn();
    }
  }

  run(job: IntakeJob): Promise<IntakeOutcome> {
    if (this.inline) return Promise.resolve().then(() => this.inline?.(job) ?? Promise.reject(new Error('BUG: no runner')));
    let best = this.slots[0];
    for (const s of this.slots) if (best && s.inflight.size < best.inflight.size) best = s;
    if (!best) return Promise.reject(new Error('BUG: intake pool has no workers'));
    const slot = best;
    const id = this.nextId++;
    const bytes = job.body.byteLength;
    this.pendingBytes += bytes;
    return new Promise<IntakeOutcome>((resolve, reject) => {
      slot.inflight.set(id, { resolve, reject, bytes });
      // Line bodies that own their whole memory are moved, not copied, to the worker (the caller does not read them again).
      const b = job.body;
      const movable = job.kind === 'lines' && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
      slot.worker.postMessage({ id, job }, movable ? [b.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
