import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { patronCommand } from '../helpers/server-process.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patron-cli-'));
const env = { ...process.env, PATRON_DATA_DIR: dir, LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
delete env.DATABASE_URL;
delete env.SESSION_SECRET;

async function patron(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const cmd = patronCommand(env, args);
    const r = await run(process.execPath, cmd.argv, { env: cmd.env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patron CLI (embedded database)', () => {
  it('migrates, creates an organization, a user and an API key for scripts', async () => {
    expect((await patron('migrate')).code).toBe(0);
    const again = await patron('migrate');
    expect(again.stdout).toContain('up to date');
    const org = await patron('org', 'create', '--slug', 'acme', '--name', 'Acme Inc', '--currency', 'EUR', '--timezone', 'Europe/Paris');
    expect(org.code).toBe(0);
    expect(org.stdout).toContain('acme');
    const dup = await patron('org', 'create', '--slug', 'acme', '--name', 'Again');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const user = await patron('user', 'create', '--org', 'acme', '--email', 'ops@acme.test', '--password', 'a-long-password', '--role', 'staff', '--permissions', 'viewer,points:adjust');
    expect(user.code).toBe(0);
    expect(user.stdout).toContain('points:adjust');
    const bad = await patron('user', 'create', '--org', 'acme', '--email', 'x@acme.test', '--password', 'a-long-password', '--role', 'staff', '--permissions', 'fly');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"fly"');
    const key = await patron('api-key', 'create', '--org', 'acme', '--name', 'shop', '--scopes', 'customers:read,customers:write');
    expect(key.code).toBe(0);
    const last = key.stdout.trim().split('\n').pop()!;
    expect(last).toMatch(/^pk_[0-9a-f-]{36}_[A-Za-z0-9_-]{20,}$/);
    expect((await patron('verify', '--org', 'acme')).code).toBe(0);
  }, 120_000);

  it('fails with a usage error for unknown commands and missing options', async () => {
    expect((await patron('frobnicate')).code).toBe(2);
    const missing = await patron('org', 'create', '--slug', 'x');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name is required');
  });

  // This one starts bin/patron.js on the sources, through tsx, as `npx patron` does in a checkout.
  it('stops on a wrong environment value with one line naming the variable', async () => {
    const r = await run(process.execPath, ['bin/patron.js', 'migrate'], { env: { ...env, PORT: 'eighty' } }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    const stderr = (r as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain('PORT');
  });
});
