import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AppError } from '../../errors.js';

/** The widget's TypeScript sources (widget/src) and the one-file bundle served at /widget.js (dist/widget/widget.js, built output like the rest of dist/). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WIDGET_SOURCES = join(ROOT, 'widget', 'src');
export const WIDGET_FILE = join(ROOT, 'dist', 'widget', 'widget.js');
/** The initial script's budget, gzipped. */
export const WIDGET_BUDGET_BYTES = 35 * 1024;

function newestSource(): number {
  return Math.max(0, ...readdirSync(WIDGET_SOURCES).map((f) => statSync(join(WIDGET_SOURCES, f)).mtimeMs));
}

/** Bundles and minifies the widget with esbuild into one IIFE file; returns its sizes. */
export async function buildWidget(): Promise<{ bytes: number; gzipped: number }> {
  const { build } = await import('esbuild');
  mkdirSync(join(ROOT, 'dist', 'widget'), { recursive: true });
  await build({
    entryPoints: [join(WIDGET_SOURCES, 'main.ts')],
    outfile: WIDGET_FILE,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const body = await readFile(WIDGET_FILE);
  return { bytes: body.length, gzipped: gzipSync(body, { level: 9 }).length };
}

let cache: { mtimeMs: number; body: Buffer } | null = null;
let building: Promise<unknown> | null = null;

/**
 * The bundle to serve. `npm run build` makes it; a checkout that has the sources but no
 * (or an older) bundle builds it once on first request, as the admin UI is built on start.
 */
export async function widgetBundle(): Promise<Buffer> {
  const haveSources = existsSync(WIDGET_SOURCES);
  const stale = !existsSync(WIDGET_FILE) || (haveSources && statSync(WIDGET_FILE).mtimeMs < newestSource());
  if (stale && haveSources) {
    building ??= buildWidget().finally(() => (building = null));
    await building.catch(() => undefined);
  }
  if (!existsSync(WIDGET_FILE)) throw new AppError('UNAVAILABLE', 'The storefront widget is not built: run `npm run build:widget`');
  const mtimeMs = statSync(WIDGET_FILE).mtimeMs;
  if (!cache || cache.mtimeMs !== mtimeMs) cache = { mtimeMs, body: await readFile(WIDGET_FILE) };
  return cache.body;
}
