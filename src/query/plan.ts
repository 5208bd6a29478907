// Checks the order of pipes and folds them into one shape: [aggregate] [sort] [limit] [fields].
import type { AggregatingPipe, FieldsPipe, Pipe, SortPipe } from './ast.js';
import { fail } from './cursor.js';

/** The pipes of a query in the only order the compiler runs them; `limit` is the smallest limit asked for. */
export interface Plan {
  aggregate: AggregatingPipe | undefined;
  sort: SortPipe | undefined;
  fields: FieldsPipe | undefined;
  limit: { n: number; pos: number } | undefined;
}

/**
 * Pipes run left to right, so an aggregate must come first and sort before limit; anything else would need the
 * compiler to re-sort or re-aggregate a partial result, which this language does not promise.
 */
export function planPipes(pipes: readonly Pipe[]): Plan {
  const plan: Plan = { aggregate: undefined, sort: undefined, fields: undefined, limit: undefined };
  for (const pipe of pipes) {
    switch (pipe.kind) {
      case 'stats':
      case 'histogram':
      case 'top':
      case 'patterns':
      case 'anomalies':
        if (plan.aggregate !== undefined) fail(`only one stats, histogram, top, patterns or anomalies pipe per query; "${pipe.kind}" is a second one`, pipe.pos);
        if (plan.sort !== undefined || plan.fields !== undefined || plan.limit !== undefined) fail(`"${pipe.kind}" must come before sort, limit and fields`, pipe.pos);
        plan.aggregate = pipe;
        break;
      case 'sort':
        if (plan.sort !== undefined) fail('only one sort pipe per query; list several keys instead: sort by a, b desc', pipe.pos);
        if (plan.limit !== undefined) fail('sort must come before limit', pipe.pos);
        plan.sort = pipe;
        break;
      case 'fields':
        if (plan.fields !== undefined) fail('only one fields pipe per query', pipe.pos);
        plan.fields = pipe;
        break;
      case 'limit':
        if (plan.limit === undefined || pipe.n < plan.limit.n) plan.limit = { n: pipe.n, pos: pipe.pos };
        break;
    }
  }
  return plan;
}
