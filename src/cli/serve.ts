import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { seedDemo } from '../modules/demo/demo.service.js';
import { createHttp, createWorker, openRuntime } from '../runtime.js';
import { leaveCluster, processIndex, reportReady, resolveProcesses, runPrimary } from './cluster.js';
import type { CommandIo } from './command.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the admin UI in the background when its build is missing or older than its sources. */
function buildAdminIfStale(log: (msg: string) => void): void {
  const src = join(ROOT, 'admin', 'src');
  const built = join(ROOT, 'admin', 'dist', 'index.html');
  if (!existsSync(src)) return;
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(src)) return;
  log('Building the admin UI in the background (first run only)...');
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
    cwd: join(ROOT, 'admin'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code) => log(code === 0 ? 'Admin UI built.' : `Admin UI build failed (exit ${code}); the API still works.`));
}

export async function serve(
  config: Config,
  opts: { port?: string | undefined; processes?: string | undefined; firstRun: boolean; io: CommandIo },
): Promise<number> {
  const port = opts.port !== undefined ? Number(opts.port) : config.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a number from 0 to 65535\n`);
    return 2;
  }
  const resolved = resolveProcesses(opts.processes, config);
  if ('error' in resolved) {
    process.stderr.write(`patron ${opts.firstRun ? 'start' : 'serve'}: ${resolved.error}\n`);
    return 2;
  }
  const say = (msg: string) => process.stdout.write(msg + '\n');
  const index = processIndex();
  const describe = (url: string) => `Patron is running at ${url} (database: ${config.databaseUrl ? 'postgres' : 'pglite'}${config.databaseUrl ? '' : `, data in ${config.dataDir}`})`;
  if (index === null && resolved.processes > 1) {
    if (opts.firstRun) buildAdminIfStale(say);
    const logger = createLogger(config.logLevel, {}, { process: 'primary' });
    return runPrimary({ processes: resolved.processes, worker: config.worker, logger, say, describe });
  }
  // A lone server, or server process `index` of `serve --processes N` (its log lines say which).
  const lone = index === null;
  if (opts.firstRun && lone) buildAdminIfStale(say);
  const rt = await openRuntime(config, lone ? {} : { logger: createLogger(config.logLevel, {}, { process: index }) });
  let demo: Awaited<ReturnType<typeof seedDemo>> | null = null;
  if (opts.firstRun && !config.databaseUrl) demo = await seedDemo(rt.ctx);
  const app = await createHttp(rt);
  const jobs = config.worker ? createWorker(rt) : null;
  jobs?.worker.start();
  jobs?.dispatcher.start();
  const address = await app.listen({ port, host: config.host });
  const url = address.replace('127.0.0.1', 'localhost');
  await opts.io.serving(rt, url);
  if (lone) {
    say(describe(url));
    say(`API docs: ${url}/api/docs`);
  } else {
    reportReady(url);
  }
  if (demo) say(`Demo login: ${demo.adminEmail} / ${demo.adminPassword}${demo.created ? ' (demo organization created)' : ''}`);
  if (demo?.created) {
    say('Generating demo customers and their histories in the background...');
    demo
      .content()
      .then(() => say('Demo customers ready.'))
      .catch((err: unknown) => rt.ctx.logger.error({ err }, 'demo content failed'));
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (lone) say('Shutting down...');
  await app.close();
  await jobs?.dispatcher.stop();
  await jobs?.worker.stop();
  await rt.close();
  leaveCluster();
  return 0;
}
