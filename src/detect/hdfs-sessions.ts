// Labelled HDFS block sessions (../shared/data/labelled/hdfs-sessions) rendered into realistic HDFS log lines, for the
// session detector's evaluation: each template number becomes a line as HDFS writes it, with a fresh block id, IPs,
// ports and sizes, and the sessions interleave in time as blocks do on a real cluster.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './stats.js';

export const HDFS_SESSIONS_DIR = new URL('../../../shared/data/labelled/hdfs-sessions/', import.meta.url).pathname;

export interface LabelledSession { events: number[]; anomalous: boolean }

/** Whether the labelled data is here (tests skip loudly when it is not). */
export const hdfsSessionsPresent = (dir = HDFS_SESSIONS_DIR): boolean =>
  existsSync(join(dir, 'deeplog_hdfs_train_normal.txt')) && existsSync(join(dir, 'logdeep_robust_log_train.csv'));

/** The normal-only sessions (DeepLog's training set): the baseline. */
export function readNormalSessions(dir = HDFS_SESSIONS_DIR): LabelledSession[] {
  return readFileSync(join(dir, 'deeplog_hdfs_train_normal.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => ({ events: l.trim().split(/\s+/).map(Number), anomalous: false }));
}

/** The labelled sessions (6,000 normal and 6,000 anomalous): the test set. Labels are used only to score. */
export function readLabelledSessions(dir = HDFS_SESSIONS_DIR): LabelledSession[] {
  const lines = readFileSync(join(dir, 'logdeep_robust_log_train.csv'), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  return lines.map((l) => {
    const at = l.lastIndexOf(',');
    return { events: l.slice(0, at).trim().split(/\s+/).map(Number), anomalous: l.slice(at + 1).trim() === '1' };
  });
}

interface Ctx { blk: string; ip: () => string; port: () => number; size: () => number; int: (n: number) => number }

/** HDFS event n (loghub's E1-E30): level, logger and message, as HDFS 0.x writes them. */
const EVENTS: Record<number, (c: Ctx) => [string, string, string]> = {
  1: (c) => ['WARN', 'dfs.FSDataset', `Adding an already existing block ${c.blk}`],
  2: (c) => ['INFO', 'dfs.DataBlockScanner', `Verification succeeded for ${c.blk}`],
  3: (c) => ['INFO', 'dfs.DataNode$DataXceiver', `${c.ip()}:50010 Served block ${c.blk} to /${c.ip()}`],
  4: (c) => ['WARN', 'dfs.DataNode$DataXceiver', `${c.ip()}:50010:Got exception while serving ${c.blk} to /${c.ip()}:`],
  5: (c) => { const ip = c.ip(); return ['INFO', 'dfs.DataNode$DataXceiver', `Receiving block ${c.blk} src: /${c.ip()}:${c.port()} dest: /${ip}:50010`]; },
  6: (c) => { const ip = c.ip(); return ['INFO', 'dfs.DataNode$DataXceiver', `Received block ${c.blk} src: /${c.ip()}:${c.port()} dest: /${ip}:50010 of size ${c.size()}`]; },
  7: (c) => ['INFO', 'dfs.DataNode$DataXceiver', `writeBlock ${c.blk} received exception java.io.IOException: Could not read from stream`],
  8: (c) => ['INFO', 'dfs.DataNode$PacketResponder', `PacketResponder ${c.int(3)} for block ${c.blk} Interrupted.`],
  9: (c) => ['INFO', 'dfs.DataNode$PacketResponder', `Received block ${c.blk} of size ${c.size()} from /${c.ip()}`],
  10: (c) => ['INFO', 'dfs.DataNode$PacketResponder', `PacketResponder ${c.blk} ${c.int(3)} Exception java.io.IOException: Connection reset by peer`],
  11: (c) => ['INFO', 'dfs.DataNode$PacketResponder', `PacketResponder ${c.int(3)} for block ${c.blk} terminating`],
  12: (c) => ['INFO', 'dfs.DataNode$DataXceiver', `${c.ip()}:50010:Exception writing block ${c.blk} to mirror ${c.ip()}:50010`],
  13: (c) => ['INFO', 'dfs.DataNode$PacketResponder', `Receiving empty packet for block ${c.blk}`],
  14: (c) => ['INFO', 'dfs.DataNode$DataXceiver', `Exception in receiveBlock for block ${c.blk} java.io.IOException: Connection reset by peer`],
  15: (c) => ['INFO', 'dfs.DataNode$BlockReceiver', `Changing block file offset of block ${c.blk} from ${c.int(60_000_000)} to ${c.int(60_000_000)} meta file offset to ${c.int(500_000)}`],
  16: (c) => ['INFO', 'dfs.DataNode$DataTransfer', `${c.ip()}:50010:Transmitted block ${c.blk} to /${c.ip()}:50010`],
  17: (c) => ['WARN', 'dfs.DataNode', `${c.ip()}:50010:Failed to transfer ${c.blk} to ${c.ip()}:50010 got java.io.IOException: Connection reset by peer`],
  18: (c) => ['INFO', 'dfs.DataNode', `${c.ip()}:50010 Starting thread to transfer block ${c.blk} to ${c.ip()}:50010`],
  19: (c) => ['INFO', 'dfs.FSDataset', `Reopen Block ${c.blk}`],
  20: (c) => ['WARN', 'dfs.FSDataset', `Unexpected error trying to delete block ${c.blk}. BlockInfo not found in volumeMap.`],
  21: (c) => ['INFO', 'dfs.FSDataset', `Deleting block ${c.blk} file /mnt/hadoop/dfs/data/current/subdir${c.int(64)}/${c.blk}`],
  22: (c) => ['INFO', 'dfs.FSNamesystem', `BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/_task_200811092030_0001_m_${String(c.int(1000)).padStart(6, '0')}_0/part-${String(c.int(1000)).padStart(5, '0')}. ${c.blk}`],
  23: (c) => ['INFO', 'dfs.FSNamesystem', `BLOCK* NameSystem.delete: ${c.blk} is added to invalidSet of ${c.ip()}:50010`],
  24: (c) => ['INFO', 'dfs.FSNamesystem', `BLOCK* Removing block ${c.blk} from neededReplications as it does not belong to any file.`],
  25: (c) => ['INFO', 'dfs.FSNamesystem', `BLOCK* ask ${c.ip()}:50010 to replicate ${c.blk} to datanode(s) ${c.ip()}:50010`],
  26: (c) => ['INFO', 'dfs.FSNamesystem', `BLOCK* NameSystem.addStoredBlock: blockMap updated: ${c.ip()}:50010 is added to ${c.blk} size ${c.size()}`],
  27: (c) => ['WARN', 'dfs.FSNamesystem', `BLOCK* NameSystem.addStoredBlock: Redundant addStoredBlock request received for ${c.blk} on ${c.ip()}:50010 size ${c.size()}`],
  28: (c) => ['WARN', 'dfs.FSNamesystem', `BLOCK* NameSystem.addStoredBlock: addStoredBlock request received for ${c.blk} on ${c.ip()}:50010 size ${c.size()} But it does not belong to any file.`],
  29: (c) => ['WARN', 'dfs.PendingReplicationMonitor', `PendingReplicationMonitor timed out block ${c.blk}`],
  30: (c) => ['INFO', 'dfs.FSNamesystem', `BLOCK* ask ${c.ip()}:50010 to delete  ${c.blk}`],
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** HDFS's header: yyMMdd HHmmss thread-id LEVEL logger: message. */
const header = (ms: number, thread: number, level: string, logger: string) => {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())} ${thread} ${level} ${logger}:`;
};

export interface RenderOptions {
  /** Event time of the first session's first record. */
  startMs: number;
  /** Time between the starts of consecutive sessions (sessions overlap when their records span longer). */
  sessionEveryMs: number;
  /** Largest gap between two records of one session. */
  maxGapMs: number;
  seed: number;
}

export interface Rendered { lines: string[]; blocks: string[] }

/**
 * Renders sessions into HDFS log lines in event-time order (interleaved across sessions); `blocks[i]` is session i's
 * block id. HDFS logs have second resolution: lines of one second keep their order of events.
 */
export function renderSessions(sessions: readonly LabelledSession[], o: RenderOptions): Rendered {
  const rand = rng(o.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const nodes = Array.from({ length: 200 }, () => `10.25${int(2)}.${int(256)}.${1 + int(254)}`);
  const ctxFor = (blk: string): Ctx => ({
    blk, ip: () => nodes[int(nodes.length)] as string, port: () => 30_000 + int(30_000), int,
    size: () => (rand() < 0.8 ? 67108864 : 1 + int(67108864)),
  });
  const records: { ms: number; seq: number; line: string }[] = [];
  const blocks: string[] = [];
  let seq = 0;
  sessions.forEach((s, i) => {
    const hi = int(2 ** 31), lo = int(2 ** 31);
    const blk = `blk_${rand() < 0.5 ? '-' : ''}${BigInt(hi) * 2147483648n + BigInt(lo)}`;
    blocks.push(blk);
    const ctx = ctxFor(blk);
    let ms = o.startMs + i * o.sessionEveryMs;
    for (const e of s.events) {
      const event = EVENTS[e];
      if (!event) throw new Error(`HDFS event ${e} is not one of E1-E30`);
      const [level, logger, message] = event(ctx);
      records.push({ ms, seq: seq++, line: `${header(ms, 1 + int(40_000), level, logger)} ${message}` });
      ms += int(o.maxGapMs);
    }
  });
  records.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
  return { lines: records.map((r) => r.line), blocks };
}

/** Session-level precision, recall and F1 of flagged block ids against the labels. */
export function sessionScores(sessions: readonly LabelledSession[], blocks: readonly string[], flagged: ReadonlySet<string>) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  sessions.forEach((s, i) => {
    const f = flagged.has(blocks[i] as string);
    if (f && s.anomalous) tp++; else if (f) fp++; else if (s.anomalous) fn++; else tn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp), recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return { tp, fp, fn, tn, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}
