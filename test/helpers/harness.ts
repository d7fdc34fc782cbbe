import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { FixedClock, type AppContext } from '../../src/context.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { buildApp } from '../../src/http/app.js';
import { Metrics } from '../../src/http/metrics.js';
import { JOB_HANDLERS, SCHEDULES } from '../../src/jobs/registry.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { Worker } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/logger.js';
import { createApiKey } from '../../src/modules/api-keys/api-keys.service.js';
import { PERMISSIONS } from '../../src/modules/auth/permissions.js';
import { createOrganization, type Organization } from '../../src/modules/orgs/orgs.service.js';
import { createUser } from '../../src/modules/users/users.service.js';
import { acquireEmbeddedDatabase, releaseEmbeddedDatabase, rememberBaseline } from './embedded-database.js';
import { buildEventRegistry } from '../../src/events/registry.js';
import { MODULES } from '../../src/modules/index.js';

export const ENGINE = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface Harness {
  ctx: AppContext;
  app: FastifyInstance;
  clock: FixedClock;
  metrics: Metrics;
  worker: Worker;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/** A fresh database for one test file: in-memory PGlite, or a new database on the PostgreSQL server. */
export async function freshDatabase(): Promise<{ url: string | undefined; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => {} };
  const name = `patron_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      // Wait for this file's pool connections to finish closing rather than terminating
      // them (a terminated connection that is still closing reports an unhandled error).
      for (let attempt = 0; ; attempt++) {
        try {
          await c.query(`drop database if exists ${name}${attempt >= 50 ? ' with (force)' : ''}`);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await c.end();
    },
  };
}

/**
 * A migrated database for one test file: on PostgreSQL the new database `url` names; embedded,
 * the migrated dump made by `test/global-setup.ts`, or a database an earlier file of this test
 * process used, put back into the dump's state (see embedded-database.ts). `migrate` still runs
 * and finds nothing to apply unless the migrations changed since the dump.
 */
async function openTestDatabase(url: string | undefined, poolSize: number): Promise<Database> {
  const database = url ? await openDatabase({ databaseUrl: url, poolSize }) : await acquireEmbeddedDatabase();
  await migrate(database);
  if (database.pglite) await rememberBaseline(database);
  return database;
}

export async function createHarness(opts: { now?: string; poolSize?: number } = {}): Promise<Harness> {
  const fresh = await freshDatabase();
  const config = {
    ...loadConfig({ SESSION_SECRET: 'test-secret-test-secret-test-secret-!!', LOG_LEVEL: 'silent', PATRON_DATA_DIR: '/tmp/patron-test-unused' }),
    databaseUrl: fresh.url,
    poolSize: opts.poolSize ?? 20,
  };
  const database = await openTestDatabase(fresh.url, config.poolSize);
  const clock = new FixedClock(new Date(opts.now ?? '2026-03-10T12:00:00Z'));
  const ctx: AppContext = { database, db: database.db, clock, logger: createLogger(process.env.TEST_LOG ?? 'silent'), config, events: buildEventRegistry(MODULES) };
  const metrics = new Metrics();
  const app = await buildApp(ctx, { metrics, serveAdmin: false });
  const scheduler = new Scheduler(ctx, SCHEDULES, 0);
  const worker = new Worker(ctx, { handlers: JOB_HANDLERS, metrics });
  return {
    ctx,
    app,
    clock,
    metrics,
    worker,
    scheduler,
    close: async () => {
      await app.close();
      if (database.pglite) await releaseEmbeddedDatabase(database);
      else await database.close();
      await fresh.drop();
    },
  };
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** A client acting as one caller: a signed-in user (cookie + CSRF) or an API key. */
export class Client {
  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string>,
  ) {}

  request(method: InjectOptions['method'], url: string, body?: unknown, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method,
      url,
      headers: { ...this.headers, ...extra },
      ...(body !== undefined ? { payload: body as InjectOptions['payload'] } : {}),
    });
  }
  get(url: string, extra?: Record<string, string>) {
    return this.request('GET', url, undefined, extra);
  }
  post(url: string, body?: unknown, extra?: Record<string, string>) {
    return this.request('POST', url, body ?? {}, extra);
  }
  put(url: string, body?: unknown, extra?: Record<string, string>) {
    return this.request('PUT', url, body ?? {}, extra);
  }
  patch(url: string, body?: unknown, extra?: Record<string, string>) {
    return this.request('PATCH', url, body ?? {}, extra);
  }
  delete(url: string, extra?: Record<string, string>) {
    return this.request('DELETE', url, undefined, extra);
  }
}

export interface OrgFixture {
  org: Organization;
  admin: Client;
  /** An API key with every permission: it does not expire when tests move the clock far ahead. */
  api: Client;
  adminEmail: string;
  password: string;
}

export const TEST_PASSWORD = 'correct-horse-battery';

export async function login(h: Harness, email: string, password = TEST_PASSWORD): Promise<Client> {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'patron_session');
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return new Client(h.app, { cookie: `patron_session=${cookie!.value}`, 'x-csrf-token': csrf });
}

/** An organization with a signed-in admin. */
export async function createOrgFixture(h: Harness, opts: { currency?: string; timezone?: string } = {}): Promise<OrgFixture> {
  const slug = unique('org').toLowerCase();
  const org = await createOrganization(h.ctx, { slug, name: `Org ${slug}`, currency: opts.currency ?? 'USD', timezone: opts.timezone ?? 'UTC' });
  const adminEmail = `${slug}-admin@example.com`;
  await createUser(h.ctx, org.id, { email: adminEmail, password: TEST_PASSWORD, role: 'admin' });
  const { secret } = await createApiKey(h.ctx, org.id, { name: 'fixture', scopes: [...PERMISSIONS], createdBy: null });
  return { org, admin: await login(h, adminEmail), api: new Client(h.app, { authorization: `Bearer ${secret}` }), adminEmail, password: TEST_PASSWORD };
}

export async function staffClient(h: Harness, orgId: string, permissions: string[]): Promise<Client> {
  const email = `${unique('staff')}@example.com`;
  await createUser(h.ctx, orgId, { email, password: TEST_PASSWORD, role: 'staff', permissions });
  return login(h, email);
}

export async function apiKeyClient(h: Harness, orgId: string, scopes: string[]): Promise<{ client: Client; id: string; secret: string }> {
  const { apiKey, secret } = await createApiKey(h.ctx, orgId, { name: unique('key'), scopes, createdBy: null });
  return { client: new Client(h.app, { authorization: `Bearer ${secret}` }), id: apiKey.id, secret };
}
