// The `syslog` source: listens on UDP (RFC 5426), TCP (RFC 6587) or TLS (RFC 5425), frames the messages and feeds
// them in batches to the `syslog` decoder; TCP/TLS readers pause while the write path is behind.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, isIPv6, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { ConfigError } from '../../errors.js';
import type { Source, SourceContext } from '../source.js';
import { Batcher } from './batcher.js';
import { FrameSplitter } from './framing.js';
import type { SyslogOptions } from './options.js';

interface Counters {
  connections_total: number; idle_closed: number; pauses: number; datagrams: number;
  octet_counted_frames: number; trailer_frames: number; connection_errors: number; tls_handshake_errors: number;
}

function readOption(o: SyslogOptions, key: 'certFile' | 'keyFile' | 'caFile'): Buffer | undefined {
  const path = o[key];
  if (path === undefined) return undefined;
  try { return readFileSync(path); } catch (err) {
    throw new ConfigError(`sources[name=${o.name}].${key}`, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Strips one trailing LF, CRLF or NUL from a datagram (some senders add one). */
function datagramMessage(msg: Buffer): Buffer {
  let end = msg.length;
  if (end > 0 && (msg[end - 1] === 0x0a || msg[end - 1] === 0x00)) end--;
  if (end > 0 && msg[end - 1] === 0x0d) end--;
  return end === msg.length ? msg : msg.subarray(0, end);
}

function sum(conns: Map<Socket, FrameSplitter>, f: (s: FrameSplitter) => number): number {
  let n = 0;
  for (const s of conns.values()) n += f(s);
  return n;
}

export function createSyslogSource(o: SyslogOptions): Source {
  const tls = o.protocol === 'tls' ? { cert: readOption(o, 'certFile'), key: readOption(o, 'keyFile'), ca: readOption(o, 'caFile') } : undefined;
  if (tls && (!tls.cert || !tls.key)) throw new ConfigError(`sources[name=${o.name}]`, 'protocol tls needs certFile and keyFile (PEM)');
  if (o.requestClientCert && !tls?.ca) throw new ConfigError(`sources[name=${o.name}].caFile`, 'requestClientCert needs caFile: the CA that signs the client certificates');
  let ctx: SourceContext | undefined;
  let batcher: Batcher | undefined;
  let server: Server | undefined;
  let udp: UdpSocket | undefined;
  let port = o.port;
  const conns = new Map<Socket, FrameSplitter>();
  const paused = new Set<Socket>();
  const c: Counters = { connections_total: 0, idle_closed: 0, pauses: 0, datagrams: 0, octet_counted_frames: 0, trailer_frames: 0, connection_errors: 0, tls_handshake_errors: 0 };

  const resumeAll = () => {
    if (paused.size === 0) return;
    for (const s of paused) {
      s.resume();
      if (o.idleTimeoutMs > 0) s.setTimeout(o.idleTimeoutMs);
    }
    paused.clear();
  };

  const onConnection = (sock: Socket) => {
    const b = batcher!, cx = ctx!;
    c.connections_total++;
    const splitter = new FrameSplitter(o.framing, o.maxMessageBytes, {
      frame: (f) => b.add(f),
      skipped: (reason, bytes) => {
        cx.dropped(reason);
        cx.log.warn({ reason, bytes, peer: sock.remoteAddress }, reason === 'message_too_long'
          ? `a syslog message of ${bytes} bytes is over maxMessageBytes (${o.maxMessageBytes}) and was dropped; raise maxMessageBytes`
          : 'a syslog stream is not framed as configured (octet-counting expects `LEN SP MSG`); the bytes up to the next line break were dropped');
      },
    });
    conns.set(sock, splitter);
    if (o.idleTimeoutMs > 0) sock.setTimeout(o.idleTimeoutMs);
    sock.on('timeout', () => {
      if (paused.has(sock)) return; // quiet because we stopped reading, not because the sender did
      c.idle_closed++;
      sock.destroy();
    });
    sock.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      if (b.full && !paused.has(sock)) {
        sock.pause();
        paused.add(sock);
        c.pauses++;
      }
    });
    sock.on('end', () => splitter.end());
    sock.on('error', (err) => {
      c.connection_errors++;
      cx.log.debug({ err, peer: sock.remoteAddress }, 'syslog connection error');
    });
    sock.on('close', () => {
      c.octet_counted_frames += splitter.octetFrames;
      c.trailer_frames += splitter.trailerFrames;
      conns.delete(sock);
      paused.delete(sock);
    });
  };

  const listenStream = async () => {
    const s = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}), requestCert: o.requestClientCert, rejectUnauthorized: o.requestClientCert })
      : createTcpServer();
    server = s;
    s.maxConnections = o.maxConnections;
    s.on('drop', () => {
      ctx!.dropped('connection_limit');
      ctx!.log.warn({ maxConnections: o.maxConnections }, 'a syslog connection was refused: maxConnections reached');
    });
    if (tls) {
      s.on('secureConnection', (sock: TLSSocket) => onConnection(sock));
      s.on('tlsClientError', (err) => { c.tls_handshake_errors++; ctx!.log.warn({ err: err.message }, 'a syslog TLS handshake failed'); });
    } else {
      s.on('connection', onConnection);
    }
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen({ port: o.port, host: o.host }, () => { s.off('error', reject); resolve(); });
    });
    s.on('error', (err) => ctx!.log.error({ err }, 'syslog listener error'));
    port = (s.address() as AddressInfo).port;
  };

  const listenUdp = async () => {
    const sock = createSocket({ type: isIPv6(o.host) ? 'udp6' : 'udp4', ...(o.recvBufferBytes ? { recvBufferSize: o.recvBufferBytes } : {}) });
    udp = sock;
    sock.on('message', (msg) => {
      c.datagrams++;
      if (msg.length > o.maxMessageBytes) { ctx!.dropped('message_too_long'); return; }
      const m = datagramMessage(msg);
      if (m.length === 0) return;
      if (!batcher!.tryAdd(m)) ctx!.dropped('udp_queue_full');
    });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ port: o.port, address: o.host }, () => { sock.off('error', reject); resolve(); });
    });
    sock.on('error', (err) => ctx!.log.error({ err }, 'syslog UDP socket error'));
    port = sock.address().port;
  };

  return {
    name: o.name,
    type: 'syslog',
    async start(sc) {
      ctx = sc;
      batcher = new Batcher(sc, o, resumeAll);
      if (o.protocol === 'udp') await listenUdp();
      else await listenStream();
      sc.log.info({ protocol: o.protocol, host: o.host, port }, `syslog listening on ${o.protocol}://${o.host}:${port}`);
    },
    async stop() {
      const closed = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve();
      for (const [s, splitter] of conns) {
        // A frame cut by the stop is not stored: count it rather than store half a message.
        if (splitter.bufferedBytes > 0) ctx?.dropped('truncated_at_stop');
        s.destroy();
      }
      if (udp) await new Promise<void>((r) => udp!.close(() => r()));
      await closed;
      await batcher?.drain();
    },
    status() {
      return {
        protocol: o.protocol, host: o.host, port,
        ...(o.protocol === 'udp' ? { datagrams: c.datagrams } : {
          connections: conns.size, connections_total: c.connections_total, paused_connections: paused.size, pauses: c.pauses,
          idle_closed: c.idle_closed, connection_errors: c.connection_errors, octet_counted_frames: c.octet_counted_frames + sum(conns, (f) => f.octetFrames), trailer_frames: c.trailer_frames + sum(conns, (f) => f.trailerFrames),
          ...(tls ? { tls_handshake_errors: c.tls_handshake_errors } : {}),
        }),
        messages: batcher?.messages ?? 0, batches: batcher?.batches ?? 0, buffered_bytes: batcher?.bufferedBytes ?? 0, peak_buffered_bytes: batcher?.peakBufferedBytes ?? 0,
        inflight_batches: batcher?.inflightBatches ?? 0, stalled: batcher?.stalled ?? false,
      };
    },
  };
}
