// Offline mining of a whole file (the `mine` command and the evaluation): every line gets its template's final form.
import { defaultNormalizeOptions, normalizeLine, type NormalizeOptions } from '../normalize/index.js';
import { TemplateMiner, templateText, type MinerOptions, type Template } from './miner.js';

export interface OfflineOptions {
  /** Each line is only the message; otherwise the normalizer finds the message in the raw line. */
  messageOnly: boolean;
  /** The template namespace of the whole input (one file is one service). */
  service: string;
  normalize?: NormalizeOptions;
  miner?: Partial<MinerOptions>;
}

export interface MinedLine { line: number; template_id: string; template: string }

/** The message of a raw line as the engine's normalizer finds it (header fields left out); the line when it cannot. */
export function messageOfLine(line: string, opts: NormalizeOptions, receivedAt: Date): string {
  const r = normalizeLine(line, { receivedAt }, opts);
  return r.ok ? r.record.message : line;
}

/**
 * Mines lines in order and remembers each line's template, so that the output gives every line the template as it
 * stands after the whole input (a line seen early is not left with a template that later lines generalized).
 */
export class OfflineMiner {
  readonly miner: TemplateMiner;
  private readonly assigned: Template[] = [];
  private readonly receivedAt = new Date();
  private readonly normalize: NormalizeOptions;

  constructor(private readonly opts: OfflineOptions) {
    this.miner = new TemplateMiner(opts.miner);
    this.normalize = opts.normalize ?? defaultNormalizeOptions;
  }

  add(line: string): void {
    const message = this.opts.messageOnly ? line.trim() : messageOfLine(line, this.normalize, this.receivedAt);
    this.assigned.push(this.miner.add(this.opts.service, message));
  }

  get lines(): number { return this.assigned.length; }

  *results(): Generator<MinedLine> {
    const text = new Map<Template, string>();
    for (let i = 0; i < this.assigned.length; i++) {
      const t = this.assigned[i] as Template;
      let s = text.get(t);
      if (s === undefined) { s = templateText(t); text.set(t, s); }
      yield { line: i + 1, template_id: t.id, template: s };
    }
  }
}
