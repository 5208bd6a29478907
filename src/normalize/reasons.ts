// The catalogue of reasons a raw log is rejected to the dead-letter store; each labels a counter.

export const rejectReasons = {
  invalid_utf8: 'the line is not valid UTF-8',
  line_too_long: 'the line is longer than normalize.maxLineBytes',
  too_many_fields: 'the record has more fields than normalize.maxFields',
  too_deep: 'the record nests deeper than normalize.maxDepth',
  unparseable: 'the line looks like JSON but cannot be parsed',
  not_an_object: 'a JSON value that is not an object cannot be a log record',
  missing_message: 'no message field could be found or inferred',
  missing_service: 'no service could be found and no default service is configured',
  invalid_timestamp: 'the timestamp field cannot be parsed as a date',
  invalid_field: 'a mapped field has a value of the wrong type or over its size limit',
  too_old: 'the timestamp is older than store.retentionDays: retention would delete the record at once',
  too_far_in_future: 'the timestamp is further ahead of the time received than normalize.maxFutureSeconds',
  schema_violation: 'the normalized record does not match schemas/log_schema.yaml',
  wal_corrupt: 'a write-ahead-log entry could not be read back during recovery',
} as const;

export type RejectReason = keyof typeof rejectReasons;

export const rejectReasonList = Object.keys(rejectReasons) as RejectReason[];
