// `npm run eval:patterns -- --data DIR [--lines N] [--runs N] [--system S] [--show N] [--demo]`: GA and PA per Loghub system in both
// modes, and single-core mining throughput over a replicated file with fresh variable values.
import { parseArgs } from 'node:util';
import { groupingAccuracy, parsingAccuracy, squash } from '../patterns/accuracy.js';
import { LOGHUB_SYSTEMS, defaultLoghubDir, loghubAvailable, readLoghubSystem, type LoghubSystem } from '../patterns/loghub-data.js';
import { OfflineMiner, mineLines } from '../patterns/offline.js';
import { TemplateMiner } from '../patterns/miner.js';
import { createGenerator } from '../demo/index.js';

const { values } = parseArgs({ options: {
  data: { type: 'string', default: defaultLoghubDir() },
  lines: { type: 'string', default: '1000000' },
  system: { type: 'string' },
  show: { type: 'string', default: '0' },
  runs: { type: 'string', default: '3' },
  demo: { type: 'boolean', default: false },
} });
const dir = values.data;
if (!loghubAvailable(dir)) { console.error(`eval:patterns: no Loghub data under ${dir} (pass --data)`); process.exit(2); }

const mine = (lines: readonly string[], messageOnly: boolean) => mineLines(lines, { messageOnly, service: 'eval' });

function showMisses(s: LoghubSystem, got: { ids: string[]; templates: string[] }, n: number): void {
  const seen = new Set<string>();
  for (let i = 0; i < s.template.length && seen.size < n; i++) {
    const want = squash(s.template[i] as string), have = squash(got.templates[i] as string);
    if (want === have || seen.has(want)) continue;
    seen.add(want);
    console.log(`  ${s.name} line ${i + 1}\n    want ${want}\n    got  ${have}\n    msg  ${s.content[i]}`);
  }
}

const systems = values.system ? [values.system] : [...LOGHUB_SYSTEMS];
const rows: { system: string; ga: number; pa: number; gaRaw: number; paRaw: number }[] = [];
for (const name of systems) {
  const s = readLoghubSystem(dir, name);
  const msg = mine(s.content, true);
  const raw = mine(s.raw, false);
  rows.push({ system: name, ga: groupingAccuracy(msg.ids, s.template.map(squash)), pa: parsingAccuracy(msg.templates, s.template), gaRaw: groupingAccuracy(raw.ids, s.template.map(squash)), paRaw: parsingAccuracy(raw.templates, s.template) });
  if (Number(values.show) > 0) showMisses(s, msg, Number(values.show));
}
const mean = (k: 'ga' | 'pa' | 'gaRaw' | 'paRaw') => rows.reduce((a, r) => a + r[k], 0) / rows.length;
const f = (x: number) => x.toFixed(3);
console.log('system      GA(msg)  PA(msg)  GA(raw)  PA(raw)');
for (const r of rows) console.log(`${r.system.padEnd(11)} ${f(r.ga)}    ${f(r.pa)}    ${f(r.gaRaw)}    ${f(r.paRaw)}`);
console.log(`${'mean'.padEnd(11)} ${f(mean('ga'))}    ${f(mean('pa'))}    ${f(mean('gaRaw'))}    ${f(mean('paRaw'))}`);

// Throughput: the eight systems' messages replicated with fresh variable values in every copy: the parts the ground
// truth marks as variables get new values of the same kind: a word (no digit: a user name) gets new letters, a hex
// value (a hash, a UUID) new hex digits, anything else (ids, numbers, addresses) new digits, so ids keep their prefix
// (blk_, attempt_) as real ones do.
let seed = 12345;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const HEX = '0123456789abcdef';
const freshChars = (v: string, kind: 'word' | 'hex' | 'digits') => v.replace(/[0-9]|[a-z]|[A-Z]/g, (c) =>
  kind === 'hex' && /[0-9a-f]/.test(c) ? (HEX[rnd(16)] as string)
    : c <= '9' ? String(rnd(10)) : kind !== 'word' ? c : String.fromCharCode((c <= 'Z' ? 65 : 97) + rnd(26)));
const kindOf = (v: string): 'word' | 'hex' | 'digits' => !/\d/.test(v) ? 'word' : /^(0x)?[0-9a-f-]+$/.test(v) && /[a-f]/.test(v) ? 'hex' : 'digits';
function templateRegex(t: string): RegExp | undefined {
  try { return new RegExp(`^${t.split('<*>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*?)')}$`); } catch { return undefined; }
}
function freshen(content: string, re: RegExp | undefined): string {
  const m = re?.exec(content);
  if (!m || !re) return freshChars(content, 'digits');
  let i = 0;
  // Rebuild the line from the template's literal pieces and a fresh value for each variable.
  const pieces = re.source.slice(1, -1).split('(.*?)');
  return pieces.map((p, k) => {
    const lit = p.replace(/\\(.)/g, '$1');
    if (k === pieces.length - 1) return lit;
    const v = m[++i] ?? '';
    return lit + freshChars(v, kindOf(v));
  }).join('');
}
/** Mines `input` `runs` times from an empty miner; prints the median lines/s and the cache hit ratio. */
function throughput(label: string, input: readonly { service: string; message: string }[]): void {
  const runs: number[] = [];
  let m = new TemplateMiner();
  for (let r = 0; r < Number(values.runs); r++) {
    m = new TemplateMiner();
    const t0 = performance.now();
    for (const x of input) m.add(x.service, x.message);
    runs.push(input.length / ((performance.now() - t0) / 1000));
  }
  runs.sort((a, b) => a - b);
  const s = m.stats;
  console.log(JSON.stringify({ throughput: label, lines: input.length, runs: runs.map(Math.round), medianLinesPerSecond: Math.round(runs[Math.floor(runs.length / 2)] ?? 0),
    templates: s.templates, cacheHitRate: Number((s.cacheHits / input.length).toFixed(3)), thread: 'main, one core' }));
}

const target = Number(values.lines);
if (target > 0 && values.demo) {
  // The demo generator's stream (12 services, realistic variables): what `serve --demo` and `npm run bench` ingest.
  const g = createGenerator({ seed: 42, start: new Date('2026-11-24T00:00:00Z'), linesPerSecond: 200 });
  const input: { service: string; message: string }[] = [];
  const truth: string[] = [];
  for (let i = 0; i < target; i++) {
    const o = JSON.parse(g.next()) as Record<string, unknown>;
    input.push({ service: String(o.service ?? g.lastService), message: String(o.message ?? o.msg ?? '') });
    truth.push(`${g.lastService}\u0001${g.lastPattern}`);
  }
  // Grouping accuracy against the generator's own templates (its placeholders are the variables), over the first
  // 100,000 lines: the demo's services were not part of the Loghub tuning.
  const n = Math.min(100_000, input.length);
  const byService = new Map<string, OfflineMiner>();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = input[i] as { service: string; message: string };
    let sm = byService.get(x.service);
    if (!sm) { sm = new OfflineMiner({ messageOnly: true, service: x.service }); byService.set(x.service, sm); }
    sm.add(x.message);
    ids.push(`${x.service}\u0001${sm.lines - 1}`);
  }
  const final = new Map<string, string>();
  for (const [svc, sm] of byService) for (const r of sm.results()) final.set(`${svc}\u0001${r.line - 1}`, r.template_id);
  console.log(JSON.stringify({ demoGroupingAccuracy: Number(groupingAccuracy(ids.map((k) => final.get(k) as string), truth.slice(0, n)).toFixed(3)), lines: n, trueTemplates: new Set(truth.slice(0, n)).size }));
  throughput('demo generator stream', input);
} else if (target > 0) {
  const base = LOGHUB_SYSTEMS.map((n) => readLoghubSystem(dir, n)).flatMap((s) => s.content.map((c, k) => ({ service: s.name, c, re: templateRegex(squash(s.template[k] as string)) })));
  const input: { service: string; message: string }[] = [];
  for (let i = 0; input.length < target; i++) {
    const b = base[i % base.length] as (typeof base)[number];
    input.push({ service: b.service, message: i < base.length ? b.c : freshen(squash(b.c), b.re) });
  }
  if (values.show !== '0') for (let k = 0; k < 5; k++) console.log('sample:', input[base.length + k * 2003]?.message);
  throughput('Loghub x8 replicated with fresh variable values', input);
}
