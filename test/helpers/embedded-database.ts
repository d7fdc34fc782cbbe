import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';

/**
 * Embedded (PGlite) databases for test files. Every file starts from the migrated data folder
 * dumped by `test/global-setup.ts`. Booting PGlite costs seconds of CPU, so a database a file
 * has closed is kept by its test process and handed to the next file after being put back into
 * the state of the dump: every table emptied and refilled with the rows the dump holds, every
 * sequence back at its value in the dump, session settings discarded. If anything about a kept
 * database looks different from the dump (a table or sequence added or removed, a statement
 * failing), it is closed and a new one is booted from the dump instead.
 */

interface Baseline {
  /** Every table of the application's schemas, quoted, in a stable order. */
  tables: string[];
  /** The rows of the tables that are not empty in the dump, with the columns to restore. */
  seeded: { table: string; columns: string; rows: unknown[] }[];
  sequences: { name: string; lastValue: string | null; isCalled: boolean }[];
}

const idle: Database[] = [];
const baselines = new WeakMap<Database, Baseline>();
let template: Blob | null | undefined;

function migratedTemplate(): Blob | undefined {
  if (template === undefined) {
    const file = process.env.PATRON_TEST_PGLITE_TEMPLATE;
    template = file && existsSync(file) ? new Blob([readFileSync(file)]) : null;
  }
  return template ?? undefined;
}

const quoted = (schema: string, name: string) => `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`;

async function readBaseline(database: Database): Promise<Baseline> {
  const db = database.db;
  const { tables } = await readShape(database);
  const seeded: Baseline['seeded'] = [];
  for (const table of tables) {
    const rows = (await sql<{ row: unknown }>`select to_jsonb(t) as row from ${sql.raw(table)} t`.execute(db)).rows.map((r) => r.row);
    if (rows.length === 0) continue;
    const columns = (
      await sql<{ attname: string }>`
        select attname from pg_attribute
        where attrelid = ${table}::regclass and attnum > 0 and not attisdropped and attgenerated = ''
        order by attnum`.execute(db)
    ).rows.map((c) => `"${c.attname.replaceAll('"', '""')}"`);
    seeded.push({ table, columns: columns.join(', '), rows });
  }
  const sequences = (
    await sql<{ schemaname: string; sequencename: string; last_value: string | number | null }>`
      select schemaname, sequencename, last_value from pg_sequences
      where schemaname not in ('pg_catalog', 'information_schema') order by schemaname, sequencename`.execute(db)
  ).rows.map((s) => ({ name: quoted(s.schemaname, s.sequencename), lastValue: s.last_value === null ? null : String(s.last_value), isCalled: s.last_value !== null }));
  return { tables, seeded, sequences };
}

/** Puts a kept database back into the state of the dump; false when it no longer can be. */
async function resetToBaseline(database: Database, baseline: Baseline): Promise<boolean> {
  const pglite = database.pglite!;
  try {
    await pglite.exec('discard all');
    const now = await readShape(database);
    if (now.tables.join() !== baseline.tables.join() || now.sequences.join() !== baseline.sequences.map((s) => s.name).join()) return false;
    await pglite.transaction(async (tx) => {
      await tx.exec(`truncate ${baseline.tables.join(', ')} restart identity cascade`);
      for (const s of baseline.seeded) {
        await tx.query(`insert into ${s.table} (${s.columns}) select ${s.columns} from jsonb_populate_recordset(null::${s.table}, $1::jsonb)`, [JSON.stringify(s.rows)]);
      }
      for (const s of baseline.sequences) {
        if (s.lastValue === null) await tx.query(`select setval($1::regclass, (select seqstart from pg_sequence where seqrelid = $1::regclass), false)`, [s.name]);
        else await tx.query('select setval($1::regclass, $2::bigint, $3)', [s.name, s.lastValue, s.isCalled]);
      }
    });
    return true;
  } catch {
    return false;
  }
}

/** The application's tables and sequences, quoted, in a stable order. */
async function readShape(database: Database): Promise<{ tables: string[]; sequences: string[] }> {
  const list = async (catalog: 'pg_tables' | 'pg_sequences', column: 'tablename' | 'sequencename') =>
    (
      await database.pglite!.query<{ schema: string; name: string }>(
        `select schemaname as schema, ${column} as name from ${catalog}
         where schemaname not in ('pg_catalog', 'information_schema') order by schemaname, ${column}`,
      )
    ).rows.map((r) => quoted(r.schema, r.name));
  return { tables: await list('pg_tables', 'tablename'), sequences: await list('pg_sequences', 'sequencename') };
}

/** A migrated embedded database: a kept one put back into the dump's state, or a new one. */
export async function acquireEmbeddedDatabase(): Promise<Database> {
  for (let database = idle.pop(); database; database = idle.pop()) {
    const baseline = baselines.get(database);
    if (baseline && (await resetToBaseline(database, baseline))) return database;
    await database.close().catch(() => {});
  }
  const database = await openDatabase({ dataDir: 'memory://', loadDataDir: migratedTemplate() });
  return database;
}

/**
 * Records what a new database looks like once migrated, so it can be put back later. Call it
 * after `migrate`, before anything else writes to it.
 */
export async function rememberBaseline(database: Database): Promise<void> {
  if (!baselines.has(database)) baselines.set(database, await readBaseline(database));
}

/** Gives a database back for the next test file of this process, or closes it. */
export async function releaseEmbeddedDatabase(database: Database): Promise<void> {
  if (baselines.has(database) && !database.pglite!.closed) idle.push(database);
  else await database.close();
}
