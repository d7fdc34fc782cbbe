import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { systemClock, type AppContext } from '../src/context.js';
import { createApiKey } from '../src/modules/api-keys/api-keys.service.js';
import { PERMISSIONS } from '../src/modules/auth/permissions.js';
import { createOrganization } from '../src/modules/orgs/orgs.service.js';
import { createUser } from '../src/modules/users/users.service.js';
import { buildEventRegistry } from '../src/events/registry.js';
import { MODULES } from '../src/modules/index.js';

export interface BenchTenant {
  orgId: string;
  apiKey: string;
  userEmail: string;
  userPassword: string;
  customerIds: string[];
}

/** Migrates a fresh database, creates an organization with N customers (set-based inserts), returns ids. */
export async function prepareTenant(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined; customers: number }): Promise<BenchTenant> {
  const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, poolSize: 4 });
  try {
    await migrate(database);
    const config = { ...loadConfig({ SESSION_SECRET: 'bench-secret-bench-secret-bench-secret', PATRON_DATA_DIR: '/tmp/patron-bench-unused' }), databaseUrl: opts.databaseUrl };
    const ctx: AppContext = { database, db: database.db, clock: systemClock, logger: createLogger('warn'), config , events: buildEventRegistry(MODULES) };
    const org = await createOrganization(ctx, { slug: `bench-${Date.now().toString(36)}`, name: 'Bench', currency: 'USD', timezone: 'UTC' });
    const userEmail = `bench-${Date.now()}@example.com`;
    const userPassword = 'bench-password-123';
    await createUser(ctx, org.id, { email: userEmail, password: userPassword, role: 'admin' });
    const { secret } = await createApiKey(ctx, org.id, { name: 'bench', scopes: [...PERMISSIONS], createdBy: null });
    const batch = 50_000;
    for (let start = 1; start <= opts.customers; start += batch) {
      const end = Math.min(opts.customers, start + batch - 1);
      await sql`
        insert into customers (org_id, id, external_id, email, first_name, last_name, account_state, membership_type, created_at, updated_at)
        select ${org.id}, gen_random_uuid()::text, 'bench-' || g, 'bench' || g || '@example.com', 'Bench', 'Customer ' || g,
          'registered', 'member', now(), now()
        from generate_series(${start}::int, ${end}::int) g`.execute(database.db);
    }
    // Settle the fresh rows before anything is measured, as pgbench's own initialization does
    // (otherwise autovacuum works through them during the first measured runs).
    for (const table of ['customers', 'customer_balances']) await sql`vacuum (analyze) ${sql.table(table)}`.execute(database.db);
    if (opts.databaseUrl) await sql`checkpoint`.execute(database.db);
    const rows = await database.db.selectFrom('customers').select('id').where('org_id', '=', org.id).execute();
    return { orgId: org.id, apiKey: secret, userEmail, userPassword, customerIds: rows.map((r) => r.id) };
  } finally {
    await database.close();
  }
}
