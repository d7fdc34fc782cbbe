import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Patron run as real processes: `patron serve` children and CLI commands, for crash and ownership tests. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Environment for a child: an embedded folder, or a PostgreSQL database when `databaseUrl` is given. */
export function childEnv(opts: { dataDir: string; databaseUrl?: string | undefined }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATRON_DATA_DIR: opts.dataDir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: opts.databaseUrl ?? '',
    SESSION_SECRET: opts.databaseUrl ? 'test-secret-test-secret-test-secret-!!' : '',
  };
}

/**
 * How a test starts `patron`: the real `bin/patron.js` on the compiled build made by
 * `test/global-setup.ts` when there is one (seconds faster per start than compiling through
 * tsx), else `bin/patron.js` on the sources. `{ sources: true }` always takes the latter.
 */
export function patronCommand(env: NodeJS.ProcessEnv, args: string[], opts: { sources?: boolean } = {}): { argv: string[]; env: NodeJS.ProcessEnv } {
  const compiled = opts.sources ? undefined : process.env.PATRON_TEST_CLI;
  if (!compiled) return { argv: ['bin/patron.js', ...args], env };
  return { argv: [compiled, ...args], env: { ...env, PATRON_DIST: '1' } };
}

export function cli(env: NodeJS.ProcessEnv, args: string[]): { code: number; stdout: string; stderr: string } {
  const cmd = patronCommand(env, args);
  const r = spawnSync(process.execPath, cmd.argv, { cwd: ROOT, env: cmd.env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cliAsync(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const cmd = patronCommand(env, args);
    const child = spawn(process.execPath, cmd.argv, { cwd: ROOT, env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies wherever it is. */
  kill(): Promise<void>;
}

/** `patron serve` as a child; one server process unless `processes` asks for more (`serve --processes N`, PostgreSQL only). */
export async function startServerProcess(env: NodeJS.ProcessEnv, port?: number, opts: { processes?: number } = {}): Promise<ServerProcess> {
  const p = port ?? (await freePort());
  const cmd = patronCommand({ ...env, PATRON_WORKER: env.PATRON_WORKER ?? 'on' }, ['serve', '--port', String(p), '--processes', String(opts.processes ?? 1)]);
  const child = spawn(process.execPath, cmd.argv, {
    cwd: ROOT,
    env: cmd.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`patron serve exited (${child.exitCode}): ${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`patron serve did not become ready: ${log}`);
    }
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok && log.includes('Patron is running')) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    child,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
