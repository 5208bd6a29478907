// The `syslog` body decoder (on the intake workers): a batch of frames written as `LEN SP MSG` back to back, each
// frame normalized like one line of a `lines` body, so a message holding line breaks stays one record.
import { registerDecoder } from '../decoders.js';
import { decodeFrames } from './framing.js';

registerDecoder('syslog', (body) => ({ texts: decodeFrames(body).map((bytes) => ({ bytes })) }));
