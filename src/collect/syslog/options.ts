// The options of a `syslog` source: their JSON schema (defaults filled in by the registry) and their type.
import type { Framing } from './framing.js';

export interface SyslogOptions {
  name: string;
  protocol: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  framing: Framing;
  maxMessageBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  batchLines: number;
  batchBytes: number;
  batchWaitMs: number;
  maxBufferedBytes: number;
  maxInflightBatches: number;
  recvBufferBytes?: number;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  requestClientCert: boolean;
  service?: string;
}

const int = (minimum: number, maximum: number, dflt?: number) => ({ type: 'integer', minimum, maximum, ...(dflt === undefined ? {} : { default: dflt }) });
const MiB = 1024 * 1024;

export const syslogSchema = {
  type: 'object' as const,
  required: ['protocol', 'port'],
  properties: {
    protocol: { enum: ['udp', 'tcp', 'tls'] },
    host: { type: 'string', minLength: 1, default: '127.0.0.1' },
    port: int(0, 65535),
    framing: { enum: ['auto', 'octet-counting', 'newline'], default: 'auto' },
    maxMessageBytes: int(64, 16 * MiB, 64 * 1024),
    maxConnections: int(1, 100_000, 256),
    idleTimeoutMs: int(0, 86_400_000, 300_000),
    batchLines: int(1, 100_000, 1000),
    batchBytes: int(1024, 64 * MiB, MiB),
    batchWaitMs: int(0, 60_000, 50),
    maxBufferedBytes: int(64 * 1024, 4096 * MiB, 16 * MiB),
    maxInflightBatches: int(1, 64, 4),
    recvBufferBytes: int(1024, 1024 * MiB),
    certFile: { type: 'string', minLength: 1 },
    keyFile: { type: 'string', minLength: 1 },
    caFile: { type: 'string', minLength: 1 },
    requestClientCert: { type: 'boolean', default: false },
    service: { type: 'string', minLength: 1, maxLength: 256 },
  },
};
