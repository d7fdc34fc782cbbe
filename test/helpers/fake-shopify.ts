import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the parts of a Shopify store Patron calls: the OAuth token exchange
 * (`POST /admin/oauth/access_token`, single-use codes), the Admin GraphQL API at
 * `/admin/api/{version}/graphql.json` (the connect query, `webhookSubscriptionCreate`),
 * authenticated by `X-Shopify-Access-Token`, with `THROTTLED` replies on demand. It answers
 * like Shopify documents: `{ data }`, `{ errors: [{ message, extensions: { code } }] }` and
 * `extensions.cost` with the throttle status.
 */
export interface FakeGraphqlCall {
  version: string;
  token: string | undefined;
  query: string;
  variables: Record<string, unknown>;
}

export class FakeShopify {
  readonly calls: FakeGraphqlCall[] = [];
  accessToken = 'shpat_test_token';
  customerAccountsVersion: 'CLASSIC' | 'NEW_CUSTOMER_ACCOUNTS' = 'CLASSIC';
  scopes = ['read_customers', 'read_orders', 'write_discounts'];
  /** The next N GraphQL requests are answered THROTTLED. */
  throttleNext = 0;
  /** Topics whose subscription answers a userError. */
  readonly failingTopics = new Map<string, string>();
  /** The next discount creation answers these userErrors (then it is cleared). */
  discountUserErrors: { field: string[]; code: string; message: string }[] | null = null;
  /** Discount codes created in the store, by code. */
  readonly discounts = new Map<string, { id: string; active: boolean; input: Record<string, unknown>; kind: 'basic' | 'free_shipping' }>();
  /** The store's customers and orders as the GraphQL API returns them (nodes), for backfills. */
  customerNodes: Record<string, unknown>[] = [];
  orderNodes: Record<string, unknown>[] = [];
  private server: Server | null = null;
  private nextId = 1000;

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the fake Shopify is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: String(err) }] }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Calls whose query contains this text (a mutation or field name). */
  callsTo(name: string): FakeGraphqlCall[] {
    return this.calls.filter((c) => c.query.includes(name));
  }

  subscriptionCalls(): { topic: string; uri: string }[] {
    return this.calls
      .filter((c) => c.query.includes('webhookSubscriptionCreate'))
      .map((c) => ({ topic: String(c.variables.topic), uri: String((c.variables.webhookSubscription as { uri?: unknown }).uri) }));
  }

  /** Authorization codes the fake accepts once, with the app credentials they belong to. */
  readonly codes = new Map<string, { clientId: string; clientSecret: string }>();
  readonly tokenExchanges: { clientId: string; code: string }[] = [];

  /** What the store does when the merchant approves: a code for this app. */
  issueCode(clientId: string, clientSecret: string): string {
    const code = `code-${this.nextId++}`;
    this.codes.set(code, { clientId, clientSecret });
    return code;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    if (req.method === 'POST' && req.url === '/admin/oauth/access_token') {
      const form = JSON.parse(await readAll(req)) as { client_id?: string; client_secret?: string; code?: string };
      this.tokenExchanges.push({ clientId: String(form.client_id), code: String(form.code) });
      const issued = form.code ? this.codes.get(form.code) : undefined;
      if (!issued || issued.clientId !== form.client_id || issued.clientSecret !== form.client_secret) {
        return { status: 400, body: { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' } };
      }
      this.codes.delete(form.code!);
      return { status: 200, body: { access_token: this.accessToken, scope: this.scopes.join(',') } };
    }
    const m = /^\/admin\/api\/([\w-]+)\/graphql\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return { status: 404, body: { errors: 'Not Found' } };
    const raw = await readAll(req);
    const token = req.headers['x-shopify-access-token'];
    const parsed = JSON.parse(raw) as { query: string; variables?: Record<string, unknown> };
    this.calls.push({ version: m[1]!, token: typeof token === 'string' ? token : undefined, query: parsed.query, variables: parsed.variables ?? {} });
    if (token !== this.accessToken) return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
    const cost = (available: number) => ({
      cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 } },
    });
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      return { status: 200, body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: cost(0) } };
    }
    if (parsed.query.includes('webhookSubscriptionCreate')) {
      const topic = String(parsed.variables?.topic);
      const failure = this.failingTopics.get(topic);
      if (failure) {
        return { status: 200, body: { data: { webhookSubscriptionCreate: { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription'], message: failure }] } }, extensions: cost(1990) } };
      }
      const id = `gid://shopify/WebhookSubscription/${this.nextId++}`;
      return { status: 200, body: { data: { webhookSubscriptionCreate: { webhookSubscription: { id }, userErrors: [] } }, extensions: cost(1990) } };
    }
    const vars = parsed.variables ?? {};
    for (const [field, variable, kind] of [
      ['discountCodeBasicCreate', 'basicCodeDiscount', 'basic'],
      ['discountCodeFreeShippingCreate', 'freeShippingCodeDiscount', 'free_shipping'],
    ] as const) {
      if (!parsed.query.includes(field)) continue;
      const input = vars[variable] as Record<string, unknown> | undefined;
      const code = typeof input?.code === 'string' ? input.code : '';
      const errors = this.discountUserErrors ?? (this.discounts.has(code) ? [{ field: [variable, 'code'], code: 'TAKEN', message: 'Code must be unique. Please try a different code.' }] : code ? [] : [{ field: [variable, 'code'], code: 'BLANK', message: "Code can't be blank" }]);
      this.discountUserErrors = null;
      if (errors.length > 0) return { status: 200, body: { data: { [field]: { codeDiscountNode: null, userErrors: errors } }, extensions: cost(1980) } };
      const id = `gid://shopify/DiscountCodeNode/${this.nextId++}`;
      this.discounts.set(code, { id, active: true, input: input!, kind });
      return { status: 200, body: { data: { [field]: { codeDiscountNode: { id }, userErrors: [] } }, extensions: cost(1980) } };
    }
    if (parsed.query.includes('discountCodeDeactivate')) {
      const found = [...this.discounts.values()].find((d) => d.id === vars.id);
      if (!found) return { status: 200, body: { data: { discountCodeDeactivate: { codeDiscountNode: null, userErrors: [{ field: ['id'], code: 'INVALID', message: 'Discount does not exist' }] } }, extensions: cost(1990) } };
      found.active = false;
      return { status: 200, body: { data: { discountCodeDeactivate: { codeDiscountNode: { id: found.id }, userErrors: [] } }, extensions: cost(1990) } };
    }
    if (parsed.query.includes('codeDiscountNodeByCode')) {
      const found = this.discounts.get(String(vars.code));
      return { status: 200, body: { data: { codeDiscountNodeByCode: found ? { id: found.id } : null }, extensions: cost(1999) } };
    }
    for (const [field, nodes] of [
      ['customers(', this.customerNodes],
      ['orders(', this.orderNodes],
    ] as const) {
      if (!parsed.query.includes(field)) continue;
      const first = Number(vars.first ?? 50);
      const start = typeof vars.after === 'string' ? Number(Buffer.from(vars.after, 'base64').toString('utf8').replace('cursor:', '')) : 0;
      const page = nodes.slice(start, start + first);
      const end = start + page.length;
      const name = field.slice(0, -1);
      return {
        status: 200,
        body: { data: { [name]: { pageInfo: { hasNextPage: end < nodes.length, endCursor: page.length ? Buffer.from(`cursor:${end}`).toString('base64') : null }, nodes: page } }, extensions: cost(1900) },
      };
    }
    if (parsed.query.includes('customerAccountsV2')) {
      return {
        status: 200,
        body: {
          data: {
            shop: { customerAccountsV2: { customerAccountsVersion: this.customerAccountsVersion } },
            currentAppInstallation: { accessScopes: this.scopes.map((handle) => ({ handle })) },
          },
          extensions: cost(1990),
        },
      };
    }
    return { status: 200, body: { errors: [{ message: `Field not known to the fake: ${parsed.query.slice(0, 80)}` }] } };
  }
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The X-Shopify-Hmac-Sha256 value Shopify sends for this raw body. */
export function signWebhook(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('base64');
}

let deliveries = 0;

/** Headers of one signed delivery, as Shopify sends them. */
export function webhookHeaders(opts: { shop: string; secret: string; topic: string; body: string; webhookId?: string; eventId?: string }): Record<string, string> {
  deliveries += 1;
  return {
    'content-type': 'application/json',
    'x-shopify-shop-domain': opts.shop,
    'x-shopify-topic': opts.topic,
    'x-shopify-hmac-sha256': signWebhook(opts.secret, opts.body),
    'x-shopify-webhook-id': opts.webhookId ?? `wh-${process.pid}-${deliveries}-${Date.now()}`,
    'x-shopify-event-id': opts.eventId ?? `ev-${process.pid}-${deliveries}-${Date.now()}`,
    'x-shopify-api-version': '2026-01',
    'x-shopify-triggered-at': new Date().toISOString(),
  };
}
