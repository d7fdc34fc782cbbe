import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from '../helpers/server-process.js';
import { FakeGoogle } from '../integration/wallet-google-fake.js';

const dir = mkdtempSync(join(tmpdir(), 'patron-google-cli-'));
const EMAIL = 'wallet@cli-demo.iam.gserviceaccount.com';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
let google: FakeGoogle;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  google = await new FakeGoogle().start();
  google.accounts.set(EMAIL, keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  env = { ...process.env, PATRON_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PATRON_GOOGLE_WALLET_URL: google.origin, PATRON_GOOGLE_TOKEN_URL: google.tokenUrl };
  delete env.DATABASE_URL;
  delete env.SESSION_SECRET;
  delete env.PATRON_ENCRYPTION_KEY;
  writeFileSync(
    join(dir, 'key.json'),
    JSON.stringify({ type: 'service_account', client_email: EMAIL, private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }),
  );
});

afterAll(async () => {
  await google?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('patron wallet google configure', () => {
  it('configures an organization from the command line against the API and token endpoint the environment names', async () => {
    expect((await cliAsync(env, ['org', 'create', '--slug', 'cli-shop', '--name', 'CLI Shop'])).code).toBe(0);
    const r = await cliAsync(env, [
      'wallet', 'google', 'configure', '--org', 'cli-shop', '--issuer-id', '3388000000099999999',
      '--service-account', join(dir, 'key.json'), '--origin', 'https://shop.example', '--origin', 'https://www.shop.example',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Google Wallet configured for cli-shop: loyalty class 3388000000099999999.cli-shop created, acting as ${EMAIL}`);
    expect(r.stdout).toContain('Save buttons allowed on: https://shop.example, https://www.shop.example');
    expect(google.classes.get('3388000000099999999.cli-shop')).toMatchObject({ issuerName: 'CLI Shop', reviewStatus: 'UNDER_REVIEW' });

    const bad = await cliAsync(env, ['wallet', 'google', 'configure', '--org', 'cli-shop', '--issuer-id', 'x', '--service-account', join(dir, 'key.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('patron wallet google configure: issuerId: must be the issuer ID shown in the Google Pay & Wallet Console (digits only, such as 3388000000012345678)');
    const missing = await cliAsync(env, ['wallet', 'google', 'configure', '--org', 'cli-shop']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--issuer-id is required');
  }, 600_000);
});
