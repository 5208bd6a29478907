// The query AST: a filter tree plus an ordered list of pipes; parser.ts builds it, compile.ts turns it into SQL.
import type { AnomalyStatus, AnomalyType, Severity } from '../model/anomaly.js';
import type { Field } from './fields.js';

/** A filter never holds SQL: every user value stays a plain value until compile.ts binds it as a parameter. */
export type Filter =
  | { kind: 'all' }
  | { kind: 'and'; items: Filter[] }
  | { kind: 'or'; items: Filter[] }
  | { kind: 'not'; item: Filter }
  /** The message contains `text`, ignoring case. */
  | { kind: 'text'; text: string }
  | { kind: 'equals'; field: Field; value: string }
  | { kind: 'prefix'; field: Field; prefix: string }
  | { kind: 'in'; field: Field; values: string[] }
  | { kind: 'exists'; field: Field }
  | { kind: 'number'; field: Field; lower?: Bound<number>; upper?: Bound<number> }
  | { kind: 'time'; column: TimeColumn; lower?: Bound<TimePoint>; upper?: Bound<TimePoint> };

export type TimeColumn = 'timestamp' | 'received_at';

export interface Bound<T> {
  value: T;
  inclusive: boolean;
}

/** An instant: absolute (nanoseconds since the Unix epoch) or relative to the injected `now`. */
export type TimePoint = { kind: 'absolute'; epochNs: bigint } | { kind: 'ago'; ns: bigint };

/** A field named in the query: `name` is the text as written (it names output columns), `pos` its offset. */
export interface FieldRef {
  name: string;
  pos: number;
  field: Field;
}

/** A name in sort or fields; what it refers to depends on the pipe before it, so compile.ts resolves it. */
export interface NameRef {
  name: string;
  pos: number;
}

export type Aggregate = { name: string; pos: number } & (
  | { fn: 'count'; field?: FieldRef }
  | { fn: 'count_distinct' | 'min' | 'max' | 'avg' | 'sum'; field: FieldRef }
  | { fn: 'quantile'; q: number; field: FieldRef }
);

export interface StatsPipe {
  kind: 'stats';
  pos: number;
  aggregates: Aggregate[];
  by: FieldRef[];
}

export interface HistogramPipe {
  kind: 'histogram';
  pos: number;
  bucketNs: bigint;
  by: FieldRef | undefined;
}

export interface TopPipe {
  kind: 'top';
  pos: number;
  n: number;
  by: FieldRef[];
}

export interface SortKey extends NameRef {
  desc: boolean;
}

export interface SortPipe {
  kind: 'sort';
  pos: number;
  keys: SortKey[];
}

export interface LimitPipe {
  kind: 'limit';
  pos: number;
  n: number;
}

export interface FieldsPipe {
  kind: 'fields';
  pos: number;
  names: NameRef[];
}

/** `patterns [buckets N]`: one row per template_id with its text, count, first/last time and a sparkline of N counts. */
export interface PatternsPipe {
  kind: 'patterns';
  pos: number;
  buckets: number;
}

/**
 * `anomalies [type T, ...] [severity S, ... | min_severity S] [status S, ...] [min_score N]`: the detectors' stored
 * anomalies whose window overlaps the query's time range, instead of records. An empty list means any value.
 */
export interface AnomaliesPipe {
  kind: 'anomalies';
  pos: number;
  types: AnomalyType[];
  severities: Severity[];
  statuses: AnomalyStatus[];
  minScore: number | undefined;
}

/** The pipes compile-aggregate.ts groups generically; patterns and anomalies have their own compilers. */
export type GroupingPipe = StatsPipe | HistogramPipe | TopPipe;
/** The pipe that decides what an output row is (a group, a template, an anomaly); at most one per query. */
export type AggregatingPipe = GroupingPipe | PatternsPipe | AnomaliesPipe;
export type Pipe = AggregatingPipe | SortPipe | LimitPipe | FieldsPipe;

export interface Query {
  filter: Filter;
  pipes: Pipe[];
}
