// The demo service catalogue: who logs, how much, in which format, and the message templates each one uses.
import type { Level } from '../model/log-record.js';
import type { Language, TemplateSpec } from './template.js';

/** How a service writes its lines when the generator runs in `mixed` format. */
export type LineFormat = 'json' | 'logfmt' | 'access' | 'rfc5424' | 'rfc3164' | 'plain';

/** How a service spells levels: real fleets mix `info`, `WARN`, `warning`, `err`, `CRITICAL`. */
export type LevelStyle = 'lower' | 'upper' | 'python' | 'short';

export interface ServiceSpec {
  readonly name: string;
  /** Share of all lines, relative to the other services. */
  readonly weight: number;
  readonly language: Language;
  readonly format: LineFormat;
  readonly levelStyle: LevelStyle;
  /** Sub-second digits of JSON and logfmt timestamps. */
  readonly precision: 'ms' | 'us';
  /** `pods` names Kubernetes-style replicas; a list names fixed machines. */
  readonly hosts: 'pods' | readonly string[];
  /** Median duration of the work a line reports; latency incidents multiply it. */
  readonly latencyMs: number;
  /** Share of lines that carry trace context (request-scoped work); background lines carry none. */
  readonly traced: number;
  /** Deployment fields the service adds to every line; fleets differ in which they add. */
  readonly extras: readonly ('region' | 'version')[];
  /** The lines carry the end client's ip (edge services). */
  readonly clientFacing: boolean;
  /** Chance a line names a user even when its message does not. */
  readonly userShare: number;
  readonly version: string;
  /** Addresses `{upstream}` names (default: every internal service but this one). */
  readonly upstreams?: readonly string[];
  /** `METHOD /path` with placeholders; `{method}` and `{path}` in templates draw one of these. */
  readonly routes?: readonly string[];
  /** Level mix when it differs from the fleet default (percent). */
  readonly levels?: Partial<Record<Level, number>>;
  readonly templates: readonly TemplateSpec[];
}

/** The fleet-wide level mix, in percent: mostly INFO and DEBUG, a little WARN, ~2% ERROR, rare FATAL. */
export const DEFAULT_LEVEL_MIX: Readonly<Record<Level, number>> = { TRACE: 0, DEBUG: 22, INFO: 68, WARN: 7.5, ERROR: 2.3, FATAL: 0.03 };

const t = (level: Level) => (text: string, weight = 1): TemplateSpec => ({ level, text, weight });
const debug = t('DEBUG');
const info = t('INFO');
const warn = t('WARN');
const error = t('ERROR');
const fatal = t('FATAL');
/** An HTTP request line answered with one of `status`. */
const req = (level: Level, status: readonly number[], text: string, weight = 1): TemplateSpec => ({ level, text, weight, status });

const REQUEST = '{method} {path} {status} {ms}ms';
const OK = [200, 200, 200, 200, 200, 200, 201, 204, 304, 304];

export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'api-gateway', weight: 18, language: 'node', format: 'json', levelStyle: 'lower', precision: 'ms', hosts: 'pods',
    latencyMs: 38, traced: 0.6, clientFacing: true, userShare: 0.2, version: '3.12.0', extras: ['region'],
    upstreams: ['auth:8080', 'checkout:8080', 'search:8080', 'inventory:9090', 'recommendations:8080', 'web:8080'],
    routes: ['GET /api/v1/products/{id}', 'GET /api/v1/products?page={int:1-40}', 'GET /api/v1/cart', 'POST /api/v1/cart/items',
      'POST /api/v1/orders', 'GET /api/v1/orders/{order}', 'GET /api/v1/users/{user}', 'POST /api/v1/auth/login', 'GET /api/v1/search?q=shoes'],
    templates: [
      req('INFO', OK, REQUEST, 12),
      req('INFO', OK, 'proxied {method} {path} to {upstream} status={status} in {ms}ms', 3),
      debug('route matched route_id={one:orders|cart|catalog|users|search|auth} upstream={upstream}', 3),
      debug('rate limit check key=ip:{ip} remaining={int:0-600} limit=600 window=60s', 2),
      debug('jwt validated sub={user} kid={hex8} exp_in={int:60-3600}s', 2),
      req('WARN', [401, 403, 404, 404, 409, 422, 429], REQUEST, 6),
      warn('upstream {upstream} slow response took {ms}ms threshold=1000ms'),
      warn('rate limit exceeded for ip={ip} limit=600/min'),
      warn('retrying request to {upstream} attempt={int:1-3} reason="{one:connect timeout|connection reset|503 from upstream}"'),
      req('ERROR', [500, 502, 503, 504], REQUEST, 5),
      error('upstream connect error or disconnect/reset before headers. reset reason: connection failure, upstream={upstream}'),
      error('circuit breaker opened for upstream={upstream} failures={int:5-50} window=30s'),
      info('config reloaded routes={int:40-60} upstreams={int:8-14} took {int:2-40}ms', 0.05),
      fatal('failed to bind listener 0.0.0.0:8443: address already in use'),
    ],
  },
  {
    name: 'auth', weight: 8, language: 'go', format: 'logfmt', levelStyle: 'short', precision: 'us', hosts: 'pods',
    latencyMs: 22, traced: 0.6, clientFacing: true, userShare: 0.5, version: '1.8.4', extras: ['version'],
    templates: [
      info('login succeeded for user={user} method={one:password|sso|webauthn|refresh_token} ip={ip}', 5),
      info('issued access token for user={user} client_id={one:web-app|ios|android|cli} expires_in=3600s', 4),
      info('session created session_id={hex16} user={user} ttl=24h', 2),
      debug('token introspection ok sub={user} scope="{one:read write|read|orders:write payments:read}" in {ms}ms', 3),
      debug('loaded {int:2-6} signing keys from jwks cache, oldest={int:1-30}d'),
      debug('password hash verified cost=12 in {ms}ms'),
      warn('login failed for user={user} ip={ip} reason={one:invalid_password|unknown_user|account_locked}', 4),
      warn('HTTP 401 Unauthorized POST /oauth/token client_id={one:web-app|ios|android|cli} error=invalid_grant', 2),
      warn('account locked for user={user} after {int:5-10} failed attempts'),
      warn('refresh token reuse detected user={user} family={hex16}', 0.5),
      error('cannot verify token: crypto/rsa: verification error kid={hex8}'),
      error('ldap bind failed to {upstream}: i/o timeout after {ms}ms'),
      error('cannot query sessions: pq: remaining connection slots are reserved for non-replication superuser connections'),
      fatal('cannot load signing key /etc/auth/keys/{hex8}.pem: open: no such file or directory'),
    ],
  },
  {
    name: 'web', weight: 14, language: 'c', format: 'access', levelStyle: 'lower', precision: 'ms', hosts: 'pods',
    latencyMs: 12, traced: 0.2, clientFacing: true, userShare: 0.2, version: '1.25.4', extras: ['region'],
    levels: { DEBUG: 0, INFO: 88, WARN: 9.5, ERROR: 2.5 },
    routes: ['GET /', 'GET /products/{id}', 'GET /static/js/app.{hex8}.js', 'GET /static/css/main.{hex8}.css', 'GET /images/{sku}.webp',
      'GET /cart', 'GET /checkout', 'POST /checkout/submit', 'GET /account/orders', 'GET /favicon.ico', 'GET /robots.txt'],
    templates: [
      req('INFO', OK, '{method} {path} HTTP/1.1 {status} {bytes} {ms}ms', 10),
      req('WARN', [404, 404, 404, 403, 499], '{method} {path} HTTP/1.1 {status} {bytes} {ms}ms', 3),
      req('WARN', [404], 'GET /wp-login.php HTTP/1.1 {status} {bytes} {ms}ms'),
      req('ERROR', [500, 502, 502, 504], '{method} {path} HTTP/1.1 {status} {bytes} {ms}ms'),
    ],
  },
  {
    name: 'checkout', weight: 7, language: 'node', format: 'json', levelStyle: 'upper', precision: 'ms', hosts: 'pods',
    latencyMs: 95, traced: 0.8, clientFacing: false, userShare: 0.3, version: '2.31.1', extras: ['version'],
    templates: [
      info('order {order} created for user={user} items={int:1-8} total={amount} {currency}', 4),
      info('payment authorized for order {order} provider={one:stripe|adyen|paypal} in {ms}ms', 4),
      info('cart {uuid} checked out by user={user}', 2),
      debug('applying promotion code={one:SPRING10|FREESHIP|WELCOME5|BF2024} to cart {uuid} discount={amount}', 2),
      debug('reserved inventory for order {order}: skus={sku},{sku}', 2),
      debug('tax computed region={one:DE|FR|US-CA|US-NY|GB} rate={one:0.19|0.20|0.0725|0.08875} amount={amount}', 2),
      warn('payment declined for order {order}: {one:insufficient_funds|card_declined|expired_card|do_not_honor}', 3),
      warn('inventory reservation retry {int:1-3}/3 for order {order}: version conflict'),
      warn('slow call to billing took {ms}ms (threshold 500ms)'),
      error('payment provider timeout after {ms}ms for order {order} provider={one:stripe|adyen|paypal}', 2),
      error('cannot create order: Error: connect ECONNREFUSED {ip2}:5432{frames}'),
      error("unhandled rejection: TypeError: Cannot read properties of undefined (reading 'price'){frames}"),
      fatal('out of memory: JavaScript heap out of memory (heap limit 2048 MB)'),
    ],
  },
  {
    name: 'billing', weight: 4, language: 'java', format: 'plain', levelStyle: 'upper', precision: 'ms', hosts: 'pods',
    latencyMs: 140, traced: 0.6, clientFacing: false, userShare: 0.3, version: '5.4.2', extras: ['region', 'version'],
    templates: [
      info('Invoice INV-{int:100000-999999} generated for customer {user} amount={amount} {currency}', 3),
      info('Charge ch_{hex16} succeeded amount={amount} {currency} in {ms}ms', 4),
      info('Subscription sub_{hex8} renewed for user {user} plan={one:basic|pro|team|enterprise}', 2),
      debug("Executing: UPDATE invoices SET status = 'paid', paid_at = now() WHERE id = {id}", 2),
      debug('HikariPool-1 - Pool stats (total=20, active={int:1-20}, idle={int:0-19}, waiting={int:0-3})', 2),
      debug('Fetched exchange rates base=EUR count=32 in {ms}ms'),
      warn('Retrying charge ch_{hex16} after gateway error (attempt {int:1-3} of 3)', 2),
      warn('HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={int:60-90}s)'),
      warn('Invoice INV-{int:100000-999999} has no tax region, defaulting to EU'),
      error('Failed to charge customer {user}: com.stripe.exception.CardException: Your card was declined.{frames}', 2),
      error('java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.{frames}'),
      error('Webhook delivery failed for event evt_{hex16}: 503 Service Unavailable'),
      fatal("Application run failed: org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'dataSource'"),
    ],
  },
  {
    name: 'search', weight: 8, language: 'python', format: 'json', levelStyle: 'python', precision: 'us', hosts: 'pods',
    latencyMs: 60, traced: 0.5, clientFacing: false, userShare: 0.2, version: '0.19.3', extras: ['region'],
    templates: [
      info('search query="{query}" results={int:0-500} took {ms}ms', 8),
      info('indexed {int:1-500} documents into products_v4 in {ms}ms'),
      debug('spellcheck suggestion for "{query}": {int:0-3} candidates', 2),
      debug('cache hit for key search:{hex8} ttl={int:10-300}s', 3),
      debug('POST http://es-data-{int:0-2}:9200/products_v4/_search [status:200 request:0.0{int:10-99}s]', 3),
      warn('slow query "{query}" took {ms}ms (slowlog threshold 500ms)', 2),
      warn('search returned zero results for query="{query}"', 2),
      warn('elasticsearch cluster health is yellow: {int:1-4} unassigned shards'),
      error("ConnectionTimeout caused by - ReadTimeoutError(HTTPConnectionPool(host='es-data-{int:0-2}', port=9200): Read timed out. (read timeout=10))"),
      error("error building facets: KeyError: 'brand'{frames}"),
      fatal('cannot connect to elasticsearch at http://es-data-0:9200 after 30 attempts, exiting'),
    ],
  },
  {
    name: 'inventory', weight: 6, language: 'go', format: 'logfmt', levelStyle: 'lower', precision: 'us', hosts: 'pods',
    latencyMs: 8, traced: 0.5, clientFacing: false, userShare: 0, version: '4.2.0', extras: ['version'],
    templates: [
      info('stock updated sku={sku} delta={one:-1|-2|+10|+50} available={int:0-900}', 5),
      info('reservation {uuid} confirmed for order {order}', 3),
      debug('grpc call /inventory.v1.Inventory/GetStock sku={sku} took {ms}ms', 4),
      debug('sql: SELECT sku, available, reserved FROM stock WHERE sku = $1 FOR UPDATE', 2),
      debug('kafka consumer group=inventory partition={int:0-11} offset={int:100000-9999999} lag={int:0-40}', 2),
      warn('low stock sku={sku} available={int:0-5} threshold=10', 2),
      warn('reservation {uuid} expired after 900s, releasing {int:1-5} units'),
      warn('optimistic lock conflict on sku={sku}, retrying'),
      error('failed to commit offset partition={int:0-11}: kafka: broker not available'),
      error('GetStock failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded'),
      fatal('panic: runtime error: invalid memory address or nil pointer dereference{frames}'),
    ],
  },
  {
    name: 'worker', weight: 8, language: 'python', format: 'rfc5424', levelStyle: 'python', precision: 'us', hosts: 'pods',
    latencyMs: 900, traced: 0.4, clientFacing: false, userShare: 0.1, version: '2.7.0', extras: ['region'],
    templates: [
      info('Task tasks.{job}[{uuid}] received', 4),
      info('Task tasks.{job}[{uuid}] succeeded in {sec}s: None', 4),
      debug('basic.qos: prefetch_count->{int:4-16}'),
      debug('Task tasks.{job}[{uuid}] started by worker pid {pid}', 2),
      warn('Task tasks.{job}[{uuid}] retry: Retry in {int:5-120}s: ConnectionError', 2),
      warn('queue {queue} depth {int:1000-9000} above threshold 1000'),
      error("Task tasks.{job}[{uuid}] raised unexpected: TimeoutError('operation timed out after 30s'){frames}"),
      error('consumer: Cannot connect to amqp://guest:**@{ip2}:5672//: [Errno 111] Connection refused.'),
      fatal('WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: {int:1-999}.'),
    ],
  },
  {
    name: 'postgres', weight: 6, language: 'c', format: 'rfc3164', levelStyle: 'upper', precision: 'ms', hosts: ['pg-primary-0', 'pg-replica-1'],
    latencyMs: 4, traced: 0, clientFacing: false, userShare: 0, version: '16.2', extras: [],
    levels: { DEBUG: 4, INFO: 88, WARN: 5, ERROR: 3, FATAL: 0.05 },
    templates: [
      info("duration: {ms} ms  statement: SELECT o.id, o.status, o.total FROM orders o WHERE o.user_id = '{user}' LIMIT 20", 6),
      info('duration: {ms} ms  execute <unnamed>: UPDATE stock SET available = available - $1 WHERE sku = $2', 4),
      info('connection authorized: user={one:app|billing|readonly} database={one:shop|billing|auth} application_name={one:checkout|billing|auth}', 3),
      info('checkpoint complete: wrote {int:100-9000} buffers; 0 WAL file(s) added, 0 removed, {int:1-8} recycled; total={sec} s', 0.3),
      info('automatic vacuum of table "shop.public.{table}": index scans: 1, pages: 0 removed, {int:1000-90000} remain', 0.5),
      debug('autovacuum: processing database "{one:shop|billing|auth}"'),
      warn('could not receive data from client: Connection reset by peer', 2),
      warn('checkpoints are occurring too frequently ({int:8-29} seconds apart)'),
      error('duplicate key value violates unique constraint "{table}_pkey"', 2),
      error('deadlock detected: Process {pid} waits for ShareLock on transaction {id}; blocked by process {pid}.'),
      error('canceling statement due to statement timeout'),
      error('relation "{table}_archive" does not exist at character {int:15-80}'),
      fatal('password authentication failed for user "{one:postgres|admin|app}"'),
      fatal('remaining connection slots are reserved for non-replication superuser connections'),
    ],
  },
  {
    name: 'redis', weight: 4, language: 'c', format: 'rfc5424', levelStyle: 'lower', precision: 'ms', hosts: ['redis-0', 'redis-1', 'redis-2'],
    latencyMs: 0.4, traced: 0, clientFacing: false, userShare: 0, version: '7.2.4', extras: [],
    templates: [
      info('Background saving started by pid {pid}', 2),
      info('DB saved on disk', 2),
      info('{int:1-10000} changes in {int:60-300} seconds. Saving...', 2),
      info('Background saving terminated with success', 2),
      info('Synchronization with replica {ip2}:6379 succeeded', 0.3),
      debug('Accepted {ip2}:{port}', 3),
      debug('Client closed connection id={int:1000-99999} addr={ip2}:{port}', 3),
      warn('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete'),
      warn('slowlog: ZRANGEBYSCORE leaderboard:{int:1-9} took {ms}ms'),
      warn('Connection with replica {ip2}:6379 lost.'),
      error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."),
      error('Error accepting a client connection: Too many open files'),
      error("OOM command not allowed when used memory > 'maxmemory'."),
    ],
  },
  {
    name: 'scheduler', weight: 2, language: 'java', format: 'plain', levelStyle: 'upper', precision: 'ms', hosts: ['scheduler-0', 'scheduler-1'],
    latencyMs: 2500, traced: 0.2, clientFacing: false, userShare: 0, version: '1.4.9', extras: ['version'],
    templates: [
      info('Triggering job {job} (cron "{cron}")', 4),
      info('Job {job} completed in {ms}ms, {int:0-5000} items processed', 4),
      debug('Acquired lock scheduler:{job} owner={host}', 3),
      debug('Misfire check: 0 triggers misfired', 2),
      warn('Job {job} is still running after {int:300-3600}s, skipping this trigger'),
      warn('Lock scheduler:{job} held by another node, skipping'),
      error('Job {job} failed: java.net.SocketTimeoutException: Read timed out{frames}'),
      fatal('Scheduler shutting down: org.quartz.SchedulerException: JobStore is shut down.'),
    ],
  },
  {
    name: 'sshd', weight: 1.5, language: 'c', format: 'rfc3164', levelStyle: 'lower', precision: 'ms', hosts: ['bastion-1', 'bastion-2'],
    latencyMs: 1, traced: 0, clientFacing: true, userShare: 0, version: '9.6p1', extras: [],
    levels: { INFO: 70, WARN: 26, ERROR: 4 },
    templates: [
      info('Accepted publickey for {one:deploy|ubuntu|ci} from {ip} port {port} ssh2: ED25519 SHA256:{b64}'),
      info('pam_unix(sshd:session): session opened for user {one:deploy|ubuntu|ci}(uid=1000) by (uid=0)'),
      info('pam_unix(sshd:session): session closed for user {one:deploy|ubuntu|ci}'),
      info('Received disconnect from {ip} port {port}:11: disconnected by user'),
      info('Connection closed by {ip} port {port} [preauth]', 2),
      warn('Failed password for invalid user {sshuser} from {ip} port {port} ssh2', 3),
      warn('Invalid user {sshuser} from {ip} port {port}', 2),
      warn('Disconnected from authenticating user root {ip} port {port} [preauth]'),
      error('error: kex_exchange_identification: Connection closed by remote host'),
      error('error: maximum authentication attempts exceeded for root from {ip} port {port} ssh2 [preauth]'),
    ],
  },
  {
    name: 'notifications', weight: 4, language: 'node', format: 'json', levelStyle: 'lower', precision: 'ms', hosts: 'pods',
    latencyMs: 70, traced: 0.5, clientFacing: false, userShare: 0.3, version: '1.17.0', extras: ['version'],
    templates: [
      info('sent email template={one:order_confirmation|password_reset|shipping_update|welcome} to user={user} message_id={uuid}', 4),
      info('push notification delivered to {int:1-4} devices for user={user}', 3),
      debug('rendered template {one:order_confirmation|password_reset|shipping_update} locale={one:en-US|de-DE|fr-FR} in {ms}ms', 3),
      warn('email bounced for user={user}: 550 5.1.1 mailbox unavailable'),
      warn('APNs returned 410 Unregistered for device token {hex16}'),
      error('SES SendEmail throttled: Maximum sending rate exceeded'),
      error('failed to send SMS to user={user}: twilio error 21610 (unsubscribed recipient)'),
    ],
  },
  {
    name: 'recommendations', weight: 5, language: 'python', format: 'json', levelStyle: 'lower', precision: 'us', hosts: 'pods',
    latencyMs: 45, traced: 0.5, clientFacing: false, userShare: 0.3, version: '0.42.1', extras: ['region', 'version'],
    templates: [
      info('served {int:4-24} recommendations for user={user} model=als-v{int:7-9} in {ms}ms', 6),
      info('model als-v9 loaded: {int:40000-60000} items, {int:100000-900000} users', 0.1),
      debug('feature vector cache miss for user={user}, computing', 3),
      warn('fallback to popular items for user={user}: no interaction history'),
      error('model inference failed: CUDA error: out of memory{frames}'),
    ],
  },
  {
    name: 'feature-flags', weight: 3, language: 'go', format: 'logfmt', levelStyle: 'upper', precision: 'us', hosts: 'pods',
    latencyMs: 2, traced: 0.3, clientFacing: false, userShare: 0.2, version: '0.9.12', extras: ['version'],
    templates: [
      info('flag {one:new_checkout_flow|search_v2_ranking|dark_mode|one_click_pay} evaluated to {one:true|false} for user={user}', 6),
      debug('ruleset refreshed etag={hex8} flags={int:30-60} in {ms}ms', 2),
      warn('stale ruleset served, last refresh {int:60-600}s ago'),
      error('cannot refresh ruleset: GET http://config:8080/flags: context deadline exceeded'),
    ],
  },
];

/** Internal addresses services call and fail to reach (`{upstream}`). */
export const UPSTREAMS: readonly string[] = [
  'auth:8080', 'checkout:8080', 'billing:8080', 'search:8080', 'inventory:9090', 'notifications:8080',
  'recommendations:8080', 'postgres:5432', 'redis:6379', 'es-data-0:9200',
];
