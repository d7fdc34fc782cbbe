import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../context.js';
import type { Database } from './database.js';

/** How often the embedded database's statistics are refreshed. */
export const ANALYZE_EVERY_MS = 10 * 60 * 1000;
/** How often its tables are vacuumed (one table at a time, so requests run in between). */
export const VACUUM_EVERY_MS = 24 * 3600 * 1000;

/**
 * What PostgreSQL's autovacuum does on a server, done by the worker on the embedded database,
 * which has no background processes. Without it the embedded database never refreshes its
 * statistics, so plans its single session keeps (foreign-key checks, trigger and function
 * statements) stay the ones chosen when the tables were small: a check that scanned a
 * ten-row customers table keeps scanning it at 100,000 rows, once per new row. `analyze`
 * records the new sizes and makes the session plan those statements again; `vacuum` keeps
 * dead rows from piling up. Both are no-ops on PostgreSQL, whose autovacuum does this.
 */
export class EmbeddedMaintenance {
  private lastAnalyze: number | null = null;
  private lastVacuum: number | null = null;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Runs what is due; returns what it did. The first tick analyzes; the first vacuum is a day later. */
  async tick(): Promise<{ analyzed: boolean; vacuumed: number }> {
    const done = { analyzed: false, vacuumed: 0 };
    if (this.database.kind !== 'pglite') return done;
    const now = this.clock.now().getTime();
    this.lastVacuum ??= now;
    if (now - this.lastVacuum >= VACUUM_EVERY_MS) {
      this.lastVacuum = now;
      this.lastAnalyze = now;
      const started = Date.now();
      for (const table of await userTables(this.database)) {
        await sql`vacuum (analyze) ${sql.table(table)}`.execute(this.database.db);
        done.vacuumed++;
        // Requests waiting for the single session go first.
        await new Promise((resolve) => setImmediate(resolve));
      }
      done.analyzed = true;
      this.logger.info({ tables: done.vacuumed, ms: Date.now() - started }, 'embedded database vacuumed');
    } else if (this.lastAnalyze === null || now - this.lastAnalyze >= ANALYZE_EVERY_MS) {
      this.lastAnalyze = now;
      const started = Date.now();
      await sql`analyze`.execute(this.database.db);
      done.analyzed = true;
      this.logger.debug({ ms: Date.now() - started }, 'embedded database analyzed');
    }
    return done;
  }
}

async function userTables(database: Database): Promise<string[]> {
  const r = await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' order by c.relname`.execute(database.db);
  return r.rows.map((row) => row.name);
}
