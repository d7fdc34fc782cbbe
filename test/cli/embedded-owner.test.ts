import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, cli, cliAsync, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// One process owns an embedded (PGlite) data folder. While `patron serve` holds it, the
// README's other commands run inside that server (their effect survives a restart) or
// refuse with one line naming the server; a lock left by a killed server does not block.
const dataDir = mkdtempSync(join(tmpdir(), 'patron-owner-'));
const env = childEnv({ dataDir });
let server: ServerProcess | null = null;

afterAll(async () => {
  await server?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

async function me(baseUrl: string, key: string) {
  const res = await fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as { organization?: { slug: string } } };
}

function signIn(baseUrl: string) {
  return fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@acme.test', password: 'a-long-password' }),
  });
}

describe('one owner per embedded data folder', () => {
  it('runs CLI commands inside the running server, refuses a second server or worker, and survives restarts and kill -9', async () => {
    server = await startServerProcess(env);

    // Writing commands run in the server: they succeed and their effect is live at once.
    const [org, migrate] = await Promise.all([cliAsync(env, ['org', 'create', '--slug', 'acme', '--name', 'Acme']), cliAsync(env, ['migrate'])]);
    expect(org).toMatchObject({ code: 0 });
    expect(org.stdout).toContain('Created organization acme');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('up to date');
    // The rest at once: writes that run in the server, a refusal from inside it, and a
    // second server and a separate worker, which would diverge and must refuse.
    const [user, keyRun, dup, ...refused] = await Promise.all([
      cliAsync(env, ['user', 'create', '--org', 'acme', '--email', 'ops@acme.test', '--password', 'a-long-password', '--role', 'admin']),
      cliAsync(env, ['api-key', 'create', '--org', 'acme', '--name', 'shop', '--scopes', 'customers:read']),
      cliAsync(env, ['org', 'create', '--slug', 'acme', '--name', 'Again']),
      cliAsync(env, ['worker', '--once']),
      cliAsync(env, ['serve', '--port', '0']),
    ]);
    expect(user!.code).toBe(0);
    expect(keyRun!.code).toBe(0);
    const key = keyRun!.stdout.trim().split('\n').pop()!;
    expect(await me(server.baseUrl, key)).toMatchObject({ status: 200, body: { organization: { slug: 'acme' } } });
    expect((await signIn(server.baseUrl)).status).toBe(200);
    // Refusals inside the server come back with the command's own exit code and message.
    expect(dup!.code).toBe(1);
    expect(dup!.stderr).toContain('already exists');
    // One line naming the owner, non-zero.
    const pid = String(server.child.pid);
    for (const r of refused) {
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`pid ${pid}`);
      expect(lines[0]).toContain(server.baseUrl.replace('127.0.0.1', 'localhost'));
    }

    // A clean stop releases the folder; what the commands did is still there after a restart.
    expect(await server.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'patron.lock'))).toBe(false);
    server = await startServerProcess(env);
    expect((await me(server.baseUrl, key)).status).toBe(200);
    expect((await signIn(server.baseUrl)).status).toBe(200);

    // kill -9 leaves the lock file behind; the next start takes over at once.
    await server.kill();
    expect(existsSync(join(dataDir, 'patron.lock'))).toBe(true);
    server = await startServerProcess(env);
    expect((await me(server.baseUrl, key)).status).toBe(200);
    await server.stop();
    server = null;

    // Without a server, the commands open the folder themselves.
    const verify = cli(env, ['verify', '--org', 'acme']);
    expect(verify.code).toBe(0);
  }, 300_000);
});
