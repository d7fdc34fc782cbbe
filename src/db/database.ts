import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { attachEmbedded, attachPostgres } from './invalidation.js';
import { PGliteDialect } from './pglite-dialect.js';
import { ScopedDialect, type RequestScopes } from './request-scope.js';
import type { DB } from './types.js';

export type Db = Kysely<DB>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Raw pg pool when running on PostgreSQL (used by streaming export and benchmarks). */
  pool: pg.Pool | null;
  /** Raw PGlite instance when embedded. */
  pglite: PGlite | null;
  /** Request-wide transactions (see request-scope.ts). */
  scopes: RequestScopes;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

/** int8 values (counts, points, minor units) become JS numbers; beyond 2^53 we refuse rather than round. */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for an in-memory database. */
  dataDir?: string | undefined;
  poolSize?: number;
  /** Embedded only: start from this dump of a data folder (`PGlite.dumpDataDir`) instead of an empty one. */
  loadDataDir?: Blob | undefined;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      types: {
        getTypeParser: ((oid: number) => {
          if (oid === INT8) return parseInt8;
          if (oid === DATE || oid === NUMERIC) return (v: string) => v;
          return pg.types.getTypeParser(oid) as (v: string) => unknown;
        }) as typeof pg.types.getTypeParser,
      },
    });
    const dialect = new ScopedDialect(new PostgresDialect({ pool }));
    const db = new Kysely<DB>({ dialect });
    const detachCache = attachPostgres(opts.databaseUrl);
    return {
      db,
      kind: 'postgres',
      pool,
      pglite: null,
      scopes: dialect.scopes(),
      close: async () => {
        await detachCache();
        await db.destroy();
      },
    };
  }
  const dir = opts.dataDir ?? './data/pglite';
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: dir,
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    extensions: { pg_trgm },
    parsers: {
      [INT8]: parseInt8,
      [DATE]: (v: string) => v,
      [NUMERIC]: (v: string) => v,
    },
  });
  const dialect = new ScopedDialect(new PGliteDialect(pglite));
  const db = new Kysely<DB>({ dialect });
  const detachCache = attachEmbedded();
  return {
    db,
    kind: 'pglite',
    pool: null,
    pglite,
    scopes: dialect.scopes(),
    close: async () => {
      await detachCache();
      await db.destroy();
      await pglite.close();
    },
  };
}
