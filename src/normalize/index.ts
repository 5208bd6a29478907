// Public API of the normalize stage: raw lines and parsed objects in, normalized records or rejections out.
export { normalizeBytes, normalizeLine, normalizeObject, parseLine } from './normalize.js';
export { checkNormalizeOptions, defaultNormalizeOptions, type NormalizeContext, type NormalizeOptions } from './options.js';
export type { Draft, LineFormat, NormalizeResult, Parsed, Rejection } from './result.js';
export { epochToIso, formatTimestamp, parseTimestamp } from './timestamp.js';
export { inferLevel, levelAliases, normalizeLevel, syslogSeverityLevel } from './level.js';
export { fieldAliases, isIpAddress, type MappedField } from './field-map.js';
export { fieldMaxChars } from './limits.js';
export { resolveZone, type Zone } from './timezone.js';
export { rejectReasonList, rejectReasons, type RejectReason } from './reasons.js';
