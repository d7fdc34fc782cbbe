import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { verifyJwt } from '../../src/modules/wallet/wallet.google.jwt.js';

/**
 * A local stand-in for Google's OAuth 2.0 token endpoint and the Google Wallet REST API
 * (walletobjects v1, loyalty classes and objects), close enough to the documented protocol to
 * check what Patron sends:
 * - `POST /token` takes the JWT bearer grant, verifies the assertion's RS256 signature with the
 *   service account's public key and its claims (iss, scope, aud, iat/exp), and answers
 *   `{ access_token, expires_in, token_type }` or an OAuth error;
 * - every `/walletobjects/v1/...` call must carry `Authorization: Bearer <a token it issued>`
 *   (401 otherwise); classes and objects are kept in memory: insert answers 409 when the id
 *   exists, get/update/patch/addMessage answer 404 when it does not; objects carry `hasUsers`
 *   (set by the test, as a user saving the pass would).
 * Every request is recorded; replies can be scripted per "METHOD /path".
 */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: string;
}

type Json = Record<string, unknown>;

export class FakeGoogle {
  readonly requests: Recorded[] = [];
  readonly classes = new Map<string, Json>();
  readonly objects = new Map<string, Json>();
  /** Access tokens issued, by token. */
  readonly tokens = new Map<string, { email: string }>();
  /** Service accounts the token endpoint knows: client email → public (or private) key PEM. */
  readonly accounts = new Map<string, string>();
  readonly scripted = new Map<string, { status: number; body?: unknown }[]>();
  private server: Server | null = null;

  get origin(): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error('the fake is not listening');
    return `http://127.0.0.1:${a.port}`;
  }
  get tokenUrl(): string {
    return `${this.origin}/token`;
  }

  script(route: string, ...replies: { status: number; body?: unknown }[]): void {
    this.scripted.set(route, [...(this.scripted.get(route) ?? []), ...replies]);
  }

  calls(method: string, pathPrefix: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://fake');
        let body: unknown = null;
        try {
          body = raw && String(req.headers['content-type']).startsWith('application/json') ? JSON.parse(raw) : raw;
        } catch {
          body = raw;
        }
        const rec: Recorded = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body, raw };
        this.requests.push(rec);
        const reply = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
          res.end(JSON.stringify(json));
        };
        const next = this.scripted.get(`${rec.method} ${rec.path}`)?.shift();
        if (next) return reply(next.status, next.body ?? {});
        const [status, json] = rec.path === '/token' ? this.token(rec) : this.api(rec);
        reply(status, json);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private token(rec: Recorded): [number, unknown] {
    if (rec.method !== 'POST' || !String(rec.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return [400, { error: 'invalid_request', error_description: 'POST a form' }];
    }
    const form = new URLSearchParams(rec.raw);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return [400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' }];
    const assertion = form.get('assertion') ?? '';
    let claims: Json;
    try {
      claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as Json;
    } catch {
      return [400, { error: 'invalid_grant', error_description: 'Invalid JWT' }];
    }
    const key = this.accounts.get(String(claims.iss));
    if (!key) return [400, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' }];
    if (!verifyJwt(assertion, key)) return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }];
    if (claims.aud !== this.tokenUrl) return [400, { error: 'invalid_grant', error_description: 'Invalid JWT: audience' }];
    if (claims.scope !== 'https://www.googleapis.com/auth/wallet_object.issuer') return [400, { error: 'invalid_scope', error_description: 'Invalid scope' }];
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isInteger(iat) || !Number.isInteger(exp) || exp <= iat || exp - iat > 3600) return [400, { error: 'invalid_grant', error_description: 'Invalid JWT: iat/exp' }];
    const token = `ya29.fake-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, { email: String(claims.iss) });
    return [200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }];
  }

  private api(rec: Recorded): [number, unknown] {
    const auth = String(rec.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!this.tokens.has(token)) {
      return [401, { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.', status: 'UNAUTHENTICATED' } }];
    }
    const m = /^\/walletobjects\/v1\/(loyaltyClass|loyaltyObject)(?:\/([^/]+))?(\/addMessage)?$/.exec(rec.path);
    if (!m) return [404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }];
    const store = m[1] === 'loyaltyClass' ? this.classes : this.objects;
    const kind = m[1] === 'loyaltyClass' ? 'class' : 'object';
    const id = m[2] ? decodeURIComponent(m[2]) : null;
    const body = (rec.body ?? {}) as Json;
    const missing = (x: string): [number, unknown] => [404, { error: { code: 404, message: `No ${kind} ${x} was found.`, status: 'NOT_FOUND' } }];
    if (!id && rec.method === 'POST') {
      const newId = typeof body.id === 'string' ? body.id : '';
      if (!/^\d+\.[A-Za-z0-9._-]+$/.test(newId)) return [400, { error: { code: 400, message: `Invalid resource ID: ${newId}`, status: 'INVALID_ARGUMENT' } }];
      if (store.has(newId)) return [409, { error: { code: 409, message: `Resource already exists: ${newId}`, status: 'ALREADY_EXISTS' } }];
      if (kind === 'object' && !this.classes.has(String(body.classId))) return [404, { error: { code: 404, message: `Class ${String(body.classId)} not found`, status: 'NOT_FOUND' } }];
      const stored = { ...body, ...(kind === 'object' ? { hasUsers: false, version: '1' } : {}) };
      store.set(newId, stored);
      return [200, stored];
    }
    if (!id) return [404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }];
    const current = store.get(id);
    if (!current) return missing(id);
    if (m[3] && rec.method === 'POST') {
      const messages = [...((current.messages as unknown[]) ?? []), (body as { message?: unknown }).message];
      const next = { ...current, messages };
      store.set(id, next);
      return [200, { resource: next }];
    }
    if (rec.method === 'GET') return [200, current];
    if (rec.method === 'PUT' || rec.method === 'PATCH') {
      const server = kind === 'object' ? { hasUsers: current.hasUsers, version: String(Number(current.version ?? '1') + 1), messages: current.messages } : {};
      const next = rec.method === 'PUT' ? { ...body, ...server } : { ...current, ...body, ...server };
      store.set(id, next);
      return [200, next];
    }
    return [405, { error: { code: 405, message: 'Method not allowed', status: 'METHOD_NOT_ALLOWED' } }];
  }
}
