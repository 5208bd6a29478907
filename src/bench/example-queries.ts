// The documented example queries (docs/query.md) that the ingest benchmark times.
export const exampleQueries = [
  'level:error | stats count() by (service)',
  '* | stats count() by (service, level)',
  '* | histogram 1m',
  '* | top 10 ip_address',
  'timeout',
  'service:checkout level:>=warn | limit 100',
  '"connection reset" OR "connection refused"',
  'level:>=warn | patterns',
  'service:auth | patterns',
];

