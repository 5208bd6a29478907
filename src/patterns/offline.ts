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
  /** Per line, the index of its template in `templates`: 4 bytes a line, so 100M lines need 400 MB, not 800. */
  private assigned = new Int32Array(1 << 16);
  private count = 0;
  private readonly templates: Template[] = [];
  private readonly index = new Map<Template, number>();
  private readonly receivedAt = new Date();
  private readonly normalize: NormalizeOptions;

  constructor(private readonly opts: OfflineOptions) {
    this.miner = new TemplateMiner(opts.miner);
    this.normalize = opts.normalize ?? defaultNormalizeOptions;
  }

  add(line: string): void {
    const message = this.opts.messageOnly ? line.trim() : messageOfLine(line, this.normalize, this.receivedAt);
    const t = this.miner.add(this.opts.service, message);
    let k = this.index.get(t);
    if (k === undefined) { k = this.templates.length; this.templates.push(t); this.index.set(t, k); }
    if (this.count === this.assigned.length) {
      const grown = new Int32Array(this.assigned.length * 2);
      grown.set(this.assigned);
      this.assigned = grown;
    }
    this.assigned[this.count++] = k;
  }

  get lines(): number { return this.count; }

  *results(): Generator<MinedLine> {
    const text = this.templates.map((t) => templateText(t));
    for (let i = 0; i < this.count; i++) {
      const k = this.assigned[i] as number;
      yield { line: i + 1, template_id: (this.templates[k] as Template).id, template: text[k] as string };
    }
  }
}

/** Mines a whole input at once: per line, its template id and final template text (evaluation and tests). */
export function mineLines(lines: readonly string[], opts: OfflineOptions): { ids: string[]; templates: string[] } {
  const m = new OfflineMiner(opts);
  for (const l of lines) m.add(l);
  const ids: string[] = [], templates: string[] = [];
  for (const r of m.results()) { ids.push(r.template_id); templates.push(r.template); }
  return { ids, templates };
}
