// The OTLP/HTTP logs body decoders (run on the intake workers): protobuf and JSON ExportLogsServiceRequest bodies to
// one flat object per log record, in order, so a rejected record's index is its place in the request.
import { DecodeError, registerDecoder, type ValuesDecoded } from '../decoders.js';
import { protoType } from '../proto-files.js';
import { mapExportRequest } from './map.js';

export const OTLP_PROTOBUF = 'otlp_logs_protobuf';
export const OTLP_JSON = 'otlp_logs_json';

export const LOGS_SERVICE_PROTO = 'opentelemetry/proto/collector/logs/v1/logs_service.proto';
export const REQUEST_TYPE = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest';

export function decodeOtlpProtobuf(body: Buffer): ValuesDecoded {
  let msg: unknown;
  try {
    msg = protoType(LOGS_SERVICE_PROTO, REQUEST_TYPE).decode(body);
  } catch (err) {
    throw new DecodeError(`not an OTLP ExportLogsServiceRequest: ${(err as Error).message}`);
  }
  return { values: mapExportRequest(msg) };
}

export function decodeOtlpJson(body: Buffer): ValuesDecoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new DecodeError(`cannot parse the OTLP/JSON body: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DecodeError('the OTLP/JSON body must be an ExportLogsServiceRequest object ({"resourceLogs": [...]})');
  }
  try {
    return { values: mapExportRequest(parsed) };
  } catch (err) {
    throw new DecodeError(`not an OTLP ExportLogsServiceRequest: ${(err as Error).message}`);
  }
}

registerDecoder(OTLP_PROTOBUF, decodeOtlpProtobuf);
registerDecoder(OTLP_JSON, decodeOtlpJson);
