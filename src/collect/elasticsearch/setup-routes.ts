// What Elasticsearch clients ask before they send (version, license, health) and the set-up requests they make
// (index templates, lifecycle policies, ingest pipelines, indices): answered minimally and truthfully. Set-up
// bodies are acknowledged and kept in memory so that a GET after a PUT finds them; logsift does not apply them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EsError, healthBody, infoBody, licenseBody, xpackBody, type ClusterFacts } from './responses.js';

/** The kinds of set-up objects, by path, and how Elasticsearch lists one on GET. */
const KINDS: Record<string, { what: string; list: (name: string, body: unknown) => unknown }> = {
  '_index_template': { what: 'index template', list: (name, body) => ({ index_templates: [{ name, index_template: body }] }) },
  '_component_template': { what: 'component template', list: (name, body) => ({ component_templates: [{ name, component_template: body }] }) },
  '_template': { what: 'index template', list: (name, body) => ({ [name]: body }) },
  '_ilm/policy': { what: 'lifecycle policy', list: (name, body) => ({ [name]: { version: 1, modified_date: new Date(0).toISOString(), policy: (body as { policy?: unknown } | null)?.policy ?? body } }) },
  '_ingest/pipeline': { what: 'pipeline', list: (name, body) => ({ [name]: body }) },
};

/** Set-up objects kept in memory, oldest dropped past `max`. */
class SetupStore {
  private readonly items = new Map<string, unknown>();
  constructor(private readonly max: number) {}
  get(key: string): unknown { return this.items.get(key); }
  put(key: string, body: unknown): void {
    this.items.delete(key);
    this.items.set(key, body);
    if (this.items.size > this.max) { const oldest = this.items.keys().next().value; if (oldest !== undefined) this.items.delete(oldest); }
  }
  delete(key: string): boolean { return this.items.delete(key); }
}

/** A browser asking for `/` gets the dashboard; clients (JSON, or no preference) get the cluster info. */
function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return /\btext\/html\b/i.test(accept);
}

function jsonBody(req: FastifyRequest): unknown {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  try { return JSON.parse(raw.toString('utf8')) as unknown; } catch (err) {
    throw new EsError(400, 'parse_exception', `cannot parse the request body as JSON: ${(err as Error).message}`);
  }
}

export function registerSetupRoutes(app: FastifyInstance, facts: ClusterFacts, maxSetupObjects: number): void {
  const store = new SetupStore(maxSetupObjects);
  const pub = { config: { scope: 'public' } };
  const ingest = { config: { scope: 'ingest' } };

  app.get('/', pub, async (req, reply) => {
    if (wantsHtml(req)) return reply.redirect('/ui/', 302);
    return infoBody(facts);
  });
  app.get('/_license', pub, async () => licenseBody(facts));
  app.get('/_xpack', pub, async () => xpackBody(facts));
  app.get('/_cluster/health', pub, async () => healthBody(facts));
  app.get('/_cluster/health/:index', pub, async () => healthBody(facts));

  for (const [kind, k] of Object.entries(KINDS)) {
    const key = (name: string) => `${kind}/${name}`;
    app.get<{ Params: { name: string } }>(`/${kind}/:name`, ingest, async (req, reply: FastifyReply) => {
      const body = store.get(key(req.params.name));
      if (body === undefined) throw new EsError(404, 'resource_not_found_exception', `${k.what} [${req.params.name}] not found`);
      return reply.send(k.list(req.params.name, body));
    });
    const put = async (req: FastifyRequest<{ Params: { name: string } }>) => {
      store.put(key(req.params.name), jsonBody(req));
      return { acknowledged: true };
    };
    app.put(`/${kind}/:name`, ingest, put);
    app.post(`/${kind}/:name`, ingest, put);
    app.delete<{ Params: { name: string } }>(`/${kind}/:name`, ingest, async (req) => {
      if (!store.delete(key(req.params.name))) throw new EsError(404, 'resource_not_found_exception', `${k.what} [${req.params.name}] not found`);
      return { acknowledged: true };
    });
  }

  // Indices, aliases and data streams need no creation: documents may name any index. So every index "exists"
  // (Logstash's rollover-alias check), and creating one is acknowledged.
  const indexName = (name: string) => {
    if (name.startsWith('_') || name.length === 0) throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], must not start with '_'`);
    return name;
  };
  app.head<{ Params: { index: string } }>('/:index', ingest, async (req, reply) => { indexName(req.params.index); return reply.code(200).send(); });
  app.put<{ Params: { index: string } }>('/:index', ingest, async (req) => ({ acknowledged: true, shards_acknowledged: true, index: indexName(req.params.index) }));
  app.put<{ Params: { name: string } }>('/_data_stream/:name', ingest, async () => ({ acknowledged: true }));
}
