import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithEsbuild } from 'vite';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Migrates one embedded database and dumps it; each test file's harness starts from the dump. */
async function migratedDump(): Promise<() => void> {
  if (process.env.DATABASE_URL) return () => {};
  const dir = mkdtempSync(join(tmpdir(), 'patron-test-template-'));
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrate(database);
    const dump = await database.pglite!.dumpDataDir('none');
    const file = join(dir, 'migrated.tar');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    process.env.PATRON_TEST_PGLITE_TEMPLATE = file;
  } finally {
    await database.close();
  }
  return () => rmSync(dir, { recursive: true, force: true });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Tests that run Patron as processes start it many times; through tsx, each start spends
 * seconds compiling the sources. This lays out what `npm run build` would (the sources
 * compiled to JavaScript in `dist/`, the migrations beside them) with a copy of `bin/patron.js`,
 * which runs it with `PATRON_DIST=1`. It lives under node_modules/.cache, so the compiled files
 * find the project's packages, and is removed after the run.
 */
async function compiledCli(): Promise<() => void> {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'patron-test-cli-'));
  const src = join(ROOT, 'src');
  await Promise.all(
    filesUnder(src).map(async (file) => {
      const target = join(out, 'dist', relative(src, file));
      mkdirSync(dirname(target), { recursive: true });
      if (!file.endsWith('.ts')) return copyFileSync(file, target);
      const { code } = await transformWithEsbuild(readFileSync(file, 'utf8'), file, { loader: 'ts', format: 'esm', target: 'node20', sourcemap: false });
      writeFileSync(target.replace(/\.ts$/, '.js'), code);
    }),
  );
  mkdirSync(join(out, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'patron.js'), join(out, 'bin', 'patron.js'));
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  process.env.PATRON_TEST_CLI = join(out, 'bin', 'patron.js');
  return () => rmSync(out, { recursive: true, force: true });
}

export async function setup(): Promise<() => void> {
  const [dropDump, dropCli] = await Promise.all([migratedDump(), compiledCli()]);
  return () => {
    dropDump();
    dropCli();
  };
}
