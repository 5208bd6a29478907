// The patterns stage: mines each record's template on the write path, saves the miner, and catches up after a crash.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StorageError, errorMessage } from '../errors.js';
import { stampTemplateIds, type SerializedBatch } from '../intake/serialize.js';
import { writeFileDurably } from '../store/fsync.js';
import type { LogStore } from '../store/log-store.js';
import { ensureTemplatesTable, upsertTemplates, type TemplateRow } from '../store/templates.js';
import { TemplateMiner, templateText, type MinerOptions, type MinerSnapshot, type Template } from './miner.js';

export interface PatternsOptions extends MinerOptions {
  /** How often the miner's state is saved (and the templates table updated). */
  snapshotIntervalMs: number;
}

/** Where the stage reports what operators watch (the metrics). */
export interface MinerSink { evicted(n: number): void; templates(n: number): void }

interface StateFile { version: 1; lsn: number; options?: string; miner: MinerSnapshot }

/** The options that decide what a message is assigned: state built under others is used, with a warning. */
const fingerprint = (o: PatternsOptions): string => JSON.stringify({
  similarity: o.similarity, maxTokens: o.maxTokens, maskRules: o.maskRules.map((r) => [r.name, r.pattern.source, r.replacement ?? null]),
});

const CATCH_UP_ROWS = 20_000;

/**
 * The stage must give every record of a batch a template id before the batch's LSNs are stamped, and its saved state
 * must name the last LSN it reflects, so that after a crash it replays exactly the records after that LSN, in LSN
 * order, and ends in the state an uninterrupted run would have (the miner is deterministic).
 */
export class PatternStage {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  private evictedSeen: number;

  private constructor(
    readonly miner: TemplateMiner,
    private savedLsn: number,
    private readonly dir: string,
    private readonly store: LogStore,
    private readonly log: Logger,
    private readonly opts: PatternsOptions,
    private readonly sink: MinerSink,
  ) {
    this.evictedSeen = miner.stats.evicted;
  }

  /** Loads the saved state from `<dataDir>/patterns/` (a fresh miner when there is none). */
  static async open(store: LogStore, opts: PatternsOptions, log: Logger, sink: MinerSink = { evicted: () => undefined, templates: () => undefined }): Promise<PatternStage> {
    const dir = join(store.dir, 'patterns');
    await mkdir(dir, { recursive: true });
    await ensureTemplatesTable(store);
    const file = join(dir, 'miner.json');
    let text: string | undefined;
    try { text = await readFile(file, 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(`cannot read the template miner's state ${file}: ${errorMessage(err)}`, { cause: err });
    }
    if (text === undefined) return new PatternStage(new TemplateMiner(opts), 0, dir, store, log, opts, sink);
    let state: StateFile;
    let miner: TemplateMiner;
    try {
      state = JSON.parse(text) as StateFile;
      if (state.version !== 1 || typeof state.lsn !== 'number' || !Array.isArray(state.miner?.templates)) throw new Error(`unknown format (version ${String(state.version)})`);
      miner = TemplateMiner.restore(state.miner, opts);
    } catch (err) {
      throw new StorageError(`cannot read the template miner's state ${file}: ${errorMessage(err)}; move the file away to mine the stored records afresh at the next start (new templates get new ids)`, { cause: err });
    }
    if (state.options !== undefined && state.options !== fingerprint(opts)) {
      log.warn({ saved: state.options, now: fingerprint(opts) }, 'the template miner state was built with other patterns options: known templates keep their ids, new messages are mined with the current options');
    }
    return new PatternStage(miner, state.lsn, dir, store, log, opts, sink);
  }

  /** Mines every record of the batch and writes the template ids into it. Synchronous by contract (see WritePath). */
  stamp(batch: SerializedBatch): void {
    if (batch.accepted === 0) return;
    const { services, messages, timestamps } = batch.mine;
    const ids = new Array<string>(batch.accepted);
    for (let i = 0; i < batch.accepted; i++) ids[i] = this.miner.add(services[i] as string, messages[i] as string, timestamps[i]).id;
    stampTemplateIds(batch, ids);
    batch.templateIds = ids;
    const { evicted, templates } = this.miner.stats;
    if (evicted !== this.evictedSeen) {
      this.sink.evicted(evicted - this.evictedSeen);
      this.evictedSeen = evicted;
    }
    this.sink.templates(templates);
  }

  /**
   * Replays, in LSN order, the stored records after the saved state's LSN up to `lastLsn` (what a crash kept from being
   * saved), then saves. `relation` is the SQL relation holding every stored record.
   */
  async catchUp(relation: string, lastLsn: number): Promise<number> {
    let from = this.savedLsn, replayed = 0;
    if (from > lastLsn) from = lastLsn; // the state saw records that never became durable: harmless, but renumber
    for (;;) {
      const rows = await this.store.query(
        `SELECT lsn, service, message, replace(CAST(timestamp AS VARCHAR), ' ', 'T') || 'Z' AS ts FROM ${relation} WHERE lsn > $1 AND lsn <= $2 ORDER BY lsn LIMIT ${CATCH_UP_ROWS}`,
        [from, lastLsn],
      );
      for (const r of rows) this.miner.add(String(r.service), String(r.message), String(r.ts));
      replayed += rows.length;
      if (replayed % 500_000 < CATCH_UP_ROWS && replayed >= 500_000) this.log.info({ records: replayed, lsn: Number(rows[rows.length - 1]?.lsn) }, 'template miner catching up with stored records');
      const last = rows[rows.length - 1];
      if (!last || rows.length < CATCH_UP_ROWS) break;
      from = Number(last.lsn);
    }
    if (replayed > 0) this.log.info({ records: replayed, fromLsn: this.savedLsn }, 'template miner caught up with records stored after its last save');
    await this.save(lastLsn);
    return replayed;
  }

  /** Saves periodically; `lastLsn` tells the LSN the miner has seen up to at the moment of the call. */
  start(lastLsn: () => number): void {
    this.timer = setInterval(() => {
      if (this.saving) return;
      void this.save(lastLsn()).catch((err) => this.log.error({ err }, 'cannot save the template miner state; retried at the next interval'));
    }, this.opts.snapshotIntervalMs);
    this.timer.unref();
  }

  /**
   * Saves the miner (atomically: temp file, fsync, rename, directory fsync) as of `lsn`, then upserts the templates
   * that changed into the templates table. The snapshot is taken synchronously, so it matches `lsn` exactly.
   */
  async save(lsn: number): Promise<void> {
    if (lsn === this.savedLsn && !this.miner.changed) return; // nothing new: the file on disk is current
    const state: StateFile = { version: 1, lsn, options: fingerprint(this.opts), miner: this.miner.snapshot() };
    const changed = this.miner.takeDirty();
    const run = (async () => {
      const file = join(this.dir, 'miner.json');
      try {
        await writeFileDurably(file, JSON.stringify(state));
        this.savedLsn = lsn;
        await upsertTemplates(this.store, this.rows(changed));
      } catch (err) {
        this.miner.markDirty(changed);
        throw new StorageError(`cannot save the template miner state in ${this.dir}: ${errorMessage(err)}`, { cause: err });
      }
    })();
    this.saving = run.finally(() => { this.saving = undefined; });
    return run;
  }

  /**
   * Upserts the templates that changed since the last save into the templates table, so a reader that joins it
   * (`| patterns`, /api/v1/patterns) sees their current text rather than the text of the last save.
   */
  async syncTemplates(): Promise<void> {
    const changed = this.miner.takeDirty();
    try {
      await upsertTemplates(this.store, this.rows(changed));
    } catch (err) {
      this.miner.markDirty(changed);
      throw err;
    }
  }

  /** Rows for changed templates, evicted ones included (their ids stay on stored records, so their text is kept). */
  private rows(list: readonly Template[]): TemplateRow[] {
    return list.filter((t) => t.firstSeen !== '').map(rowOf);
  }

  async close(lastLsn: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.saving?.catch(() => undefined);
    await this.save(lastLsn);
  }
}

export const rowOf = (t: Template): TemplateRow => ({
  templateId: t.id, service: t.service, template: templateText(t), firstSeen: t.firstSeen, lastSeen: t.lastSeen, count: t.count, examples: [...t.examples],
});
