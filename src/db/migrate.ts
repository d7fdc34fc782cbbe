import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database, Db } from './database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_ID = 7_241_958_113;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(dir + name, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {}

/** Statements run through one session so the advisory lock and the migration share it. */
interface Session {
  exec(sql: string): Promise<void>;
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  done(): Promise<void>;
}

async function openSession(database: Database): Promise<Session> {
  if (database.pool) {
    const client = await database.pool.connect();
    return {
      exec: async (sql) => {
        await client.query(sql);
      },
      rows: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
      done: async () => client.release(),
    };
  }
  const pg = database.pglite!;
  return {
    exec: async (sql) => {
      await pg.exec(sql);
    },
    rows: async <T>(sql: string, params: unknown[] = []) => (await pg.query<T>(sql, params)).rows,
    done: async () => {},
  };
}

/** Applies pending migrations in order, each in its own transaction, recorded with a checksum. */
export async function migrate(database: Database): Promise<string[]> {
  const migrations = listMigrations();
  const session = await openSession(database);
  const applied: string[] = [];
  try {
    await session.exec(
      `create table if not exists schema_migrations (
         name text primary key, checksum text not null, applied_at timestamptz not null default now())`,
    );
    await session.rows('select pg_advisory_lock($1)', [LOCK_ID]);
    try {
      const done = new Map(
        (await session.rows<{ name: string; checksum: string }>('select name, checksum from schema_migrations')).map(
          (r) => [r.name, r.checksum],
        ),
      );
      for (const m of migrations) {
        const existing = done.get(m.name);
        if (existing !== undefined) {
          if (existing !== m.checksum) {
            throw new MigrationError(`Migration ${m.name} was edited after it was applied; add a new migration instead`);
          }
          continue;
        }
        await session.exec('begin');
        try {
          await session.exec(m.sql);
          await session.rows('insert into schema_migrations (name, checksum) values ($1, $2)', [m.name, m.checksum]);
          await session.exec('commit');
        } catch (err) {
          await session.exec('rollback');
          throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
        }
        applied.push(m.name);
      }
    } finally {
      await session.rows('select pg_advisory_unlock($1)', [LOCK_ID]);
    }
  } finally {
    await session.done();
  }
  return applied;
}

/** Names of migrations shipped with this build that the database has not applied. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const result = await sql<{ name: string }>`select name from schema_migrations`.execute(db);
  const have = new Set(result.rows.map((r) => r.name));
  return listMigrations()
    .map((m) => m.name)
    .filter((n) => !have.has(n));
}

/** Answers when the database does (readiness check); throws when it is unreachable. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
