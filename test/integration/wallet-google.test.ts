import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../src/events/dispatcher.js';
import { newId } from '../../src/db/ids.js';
import { setPreferences } from '../../src/modules/preferences/index.js';
import { ensurePass, passContent } from '../../src/modules/wallet/wallet.core.service.js';
import { googlePart, googleSaveUrl } from '../../src/modules/wallet/wallet.google.js';
import { verifyJwt } from '../../src/modules/wallet/wallet.google.jwt.js';
import { configureGoogle, googlePassChanged, googlePlatform } from '../../src/modules/wallet/wallet.google.service.js';
import { serviceAccountTokenProvider, useGoogleTokenProvider } from '../../src/modules/wallet/wallet.google.tokens.js';
import { adjust, createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { FakeGoogle } from './wallet-google-fake.js';

type Obj = Record<string, unknown>;
const ISSUER = '3388000000012345678';
const EMAIL = 'patron-wallet@loyalty-demo.iam.gserviceaccount.com';

let h: Harness;
let a: OrgFixture;
let google: FakeGoogle;
let dispatcher: OutboxDispatcher;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const serviceAccount = (email = EMAIL, key = privatePem) =>
  JSON.stringify({ type: 'service_account', project_id: 'loyalty-demo', private_key_id: 'abc123', private_key: key, client_email: email, token_uri: 'https://oauth2.googleapis.com/token' });
const dir = mkdtempSync(join(tmpdir(), 'patron-google-'));
const keyFile = join(dir, 'service-account.json');

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const d = await dispatcher.drain();
    const j = await h.worker.drain();
    if (d === 0 && j === 0) return;
  }
}

/** Runs `patron wallet google configure` with these arguments inside this test's runtime. */
async function configureCommand(values: Record<string, unknown>): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const command = googlePart.commands!['wallet google configure']!;
  try {
    const code = await command.run(h.ctx.config, values as Record<string, string | boolean | undefined>, {
      out: (line) => out.push(line),
      err: (text) => (err += text),
      withRuntime: (_config, fn) => fn({ ctx: h.ctx }),
    });
    return { code, out, err };
  } catch (e) {
    return { code: 1, out, err: (e as Error).message };
  }
}

const jwtOf = (saveUrl: string) => {
  expect(saveUrl.startsWith('https://pay.google.com/gp/v/save/')).toBe(true);
  const verified = verifyJwt(saveUrl.slice('https://pay.google.com/gp/v/save/'.length), publicPem);
  expect(verified).not.toBeNull();
  return verified!;
};
const objectIdOf = async (customerId: string) => `${ISSUER}.${(await ensurePass(h.ctx, a.org.id, customerId)).serialNumber}`;
const googleRow = (customerId: string) =>
  h.ctx.db.selectFrom('wallet_google_objects').selectAll().where('org_id', '=', a.org.id).where('customer_id', '=', customerId).executeTakeFirst();

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  google = await new FakeGoogle().start();
  google.accounts.set(EMAIL, publicPem);
  h.ctx.config.googleWalletUrl = google.origin;
  h.ctx.config.googleTokenUrl = google.tokenUrl;
  dispatcher = new OutboxDispatcher(h.ctx);
  writeFileSync(keyFile, serviceAccount());
}, 60_000);

afterAll(async () => {
  await google?.stop();
  await h?.close();
});

describe(`Google Wallet on ${ENGINE}`, () => {
  it('refuses a bad issuer id, a key that is not an RSA service-account key, and an unreadable file, storing nothing and calling nobody', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'issuer-id': 'abc' }, /issuerId: must be the issuer ID/],
      [{ 'service-account': join(dir, 'missing.json') }, /service-account: cannot read .*no such file/],
      [{ 'class-suffix': 'has spaces' }, /classSuffix: must be 1 to 100 letters/],
      [{ origin: ['https://shop.example/path'] }, /origins: .* must be an origin only/],
      [{ origin: ['http://shop.example'] }, /origins: .* must use https/],
    ];
    for (const [override, message] of cases) {
      const r = await configureCommand({ org: a.org.slug, 'issuer-id': ISSUER, 'service-account': keyFile, ...override });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
    }
    await expect(configureGoogle(h.ctx, a.org, { issuerId: ISSUER, serviceAccountJson: serviceAccount(EMAIL, ec) })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^serviceAccount\.private_key: is an EC key; Google service-account keys are RSA keys/),
    });
    await expect(configureGoogle(h.ctx, a.org, { issuerId: ISSUER, serviceAccountJson: '{"type":"authorized_user"}' })).rejects.toMatchObject({ message: expect.stringMatching(/not a service-account key/) });
    await expect(configureGoogle(h.ctx, a.org, { issuerId: ISSUER, serviceAccountJson: 'not json' })).rejects.toMatchObject({ message: expect.stringMatching(/^serviceAccount: is not JSON/) });
    expect(google.requests).toHaveLength(0);
    expect(await h.ctx.db.selectFrom('wallet_google_settings').selectAll().where('org_id', '=', a.org.id).executeTakeFirst()).toBeUndefined();
  });

  it('refuses a service account Google does not know, with its answer, storing nothing', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(configureGoogle(h.ctx, a.org, { issuerId: ISSUER, serviceAccountJson: serviceAccount(EMAIL, other) })).rejects.toMatchObject({
      code: 'RULE_REFUSED',
      message: expect.stringMatching(/Google did not accept the loyalty class: Google's token endpoint refused the service account .*HTTP 400 invalid_grant: Invalid JWT Signature/),
    });
    expect(google.calls('POST', '/walletobjects')).toHaveLength(0);
    expect(await h.ctx.db.selectFrom('wallet_google_settings').selectAll().where('org_id', '=', a.org.id).executeTakeFirst()).toBeUndefined();
  });

  it('configures from the command line: the class is inserted with a signed-in bearer token, the key stored sealed; again, it is updated (409 on insert)', async () => {
    const r = await configureCommand({ org: a.org.slug, 'issuer-id': ISSUER, 'service-account': keyFile, origin: ['https://shop.example', 'https://www.shop.example,https://shop.example'], 'logo-url': 'https://shop.example/logo.png' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(`Google Wallet configured for ${a.org.slug}: loyalty class ${ISSUER}.${a.org.slug} created, acting as ${EMAIL}`);
    const tokenCall = google.calls('POST', '/token').at(-1)!;
    const assertion = new URLSearchParams(tokenCall.raw).get('assertion')!;
    expect(verifyJwt(assertion, publicPem)!.claims).toMatchObject({ iss: EMAIL, aud: google.tokenUrl, scope: 'https://www.googleapis.com/auth/wallet_object.issuer' });
    const insert = google.calls('POST', '/walletobjects/v1/loyaltyClass');
    expect(insert).toHaveLength(1);
    expect(google.tokens.has(String(insert[0]!.headers.authorization).slice(7))).toBe(true);
    expect(insert[0]!.body).toMatchObject({
      id: `${ISSUER}.${a.org.slug}`,
      issuerName: a.org.name,
      programName: a.org.name,
      reviewStatus: 'UNDER_REVIEW',
      accountIdLabel: 'Card number',
      programLogo: { sourceUri: { uri: 'https://shop.example/logo.png' } },
    });
    const row = await h.ctx.db.selectFrom('wallet_google_settings').selectAll().where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ issuer_id: ISSUER, service_account_email: EMAIL, class_suffix: a.org.slug, origins: ['https://shop.example', 'https://www.shop.example'] });
    expect(row.key_sealed).toMatch(/^sealed:v1:/);
    expect(row.key_sealed).not.toContain('PRIVATE KEY');
    expect(await googlePlatform.configured(h.ctx, a.org.id)).toBe(true);

    const again = await configureGoogle(h.ctx, a.org, { issuerId: ISSUER, serviceAccountJson: serviceAccount(), origins: ['https://shop.example'], programName: 'Shop Rewards' });
    expect(again.class).toBe('updated');
    const patch = google.calls('PATCH', `/walletobjects/v1/loyaltyClass/${ISSUER}.${a.org.slug}`);
    expect(patch).toHaveLength(1);
    expect(google.classes.get(`${ISSUER}.${a.org.slug}`)).toMatchObject({ programName: 'Shop Rewards', programLogo: { sourceUri: { uri: 'https://shop.example/logo.png' } } });
    // The access token was reused, not asked for again.
    expect(google.calls('POST', '/token').at(-1)).toBe(tokenCall);
  });

  it('gives a member a save link whose JWT verifies with the public key and carries the loyalty object', async () => {
    const c = await createCustomer(a.api, { firstName: 'Ada', lastName: 'Lovelace' });
    expect((await adjust(a.api, c.id, 'add', 120)).statusCode).toBe(201);
    const res = await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`);
    expect(res.statusCode).toBe(200);
    const link = res.json() as { saveUrl: string; objectId: string; saved: boolean };
    const { header, claims } = jwtOf(link.saveUrl);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const content = await passContent(h.ctx, a.org.id, c.id);
    expect(claims).toMatchObject({ iss: EMAIL, aud: 'google', typ: 'savetowallet', origins: ['https://shop.example'] });
    expect(typeof claims.iat).toBe('number');
    const objects = (claims.payload as { loyaltyObjects: Obj[] }).loyaltyObjects;
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      id: await objectIdOf(c.id),
      classId: `${ISSUER}.${a.org.slug}`,
      state: 'ACTIVE',
      accountId: content.cardCode,
      accountName: 'Ada Lovelace',
      loyaltyPoints: { label: 'Points', balance: { int: 120 } },
      barcode: { type: 'QR_CODE', value: content.cardCode },
    });
    expect(link).toMatchObject({ objectId: await objectIdOf(c.id), saved: false });
    expect(await googleSaveUrl(h.ctx, a.org.id, c.id)).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/);

    // The customer's own link redirects to Google's save page.
    const { token } = await ensurePass(h.ctx, a.org.id, c.id);
    const own = await h.app.inject({ method: 'GET', url: `/c/${token}/google` });
    expect(own.statusCode).toBe(302);
    expect(jwtOf(String(own.headers.location)).claims).toMatchObject({ iss: EMAIL, typ: 'savetowallet' });
    expect((await h.app.inject({ method: 'GET', url: `/c/${token.slice(0, -2)}xx/google` })).statusCode).toBe(404);

    // Permissions, guests, unknown customers, organizations without Google.
    const noRead = await staffClient(h, a.org.id, ['points:adjust']);
    expect((await noRead.get(`/api/v1/customers/${c.id}/wallet/google`)).statusCode).toBe(403);
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    expect((await a.admin.get(`/api/v1/customers/${guest.id}/wallet/google`)).statusCode).toBe(409);
    expect((await a.admin.get(`/api/v1/customers/${newId()}/wallet/google`)).statusCode).toBe(404);
    const b = await createOrgFixture(h);
    const other = await createCustomer(b.api);
    const refused = await b.admin.get(`/api/v1/customers/${other.id}/wallet/google`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toMatch(/Google Wallet is not configured for this organization; run `patron wallet google configure`/);
    expect((await a.admin.get(`/api/v1/customers/${other.id}/wallet/google`)).statusCode).toBe(404); // another organization's customer
    expect(await h.ctx.db.selectFrom('wallet_passes').selectAll().where('org_id', '=', b.org.id).execute()).toEqual([]);
  });

  it('a balance change sends one update of the saved object with the new balance, and reads that the pass was saved', async () => {
    const c = await createCustomer(a.api, { firstName: 'Grace', lastName: 'Hopper' });
    const link = (await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`)).json() as { saveUrl: string; objectId: string };
    expect((await adjust(a.api, c.id, 'add', 40)).statusCode).toBe(201);
    await settle();
    // The customer saves the pass from the link.
    expect(google.objects.get(link.objectId)).toMatchObject({ loyaltyPoints: { balance: { int: 40 } } });
    google.objects.set(link.objectId, { ...google.objects.get(link.objectId), hasUsers: true });
    const path = `/walletobjects/v1/loyaltyObject/${link.objectId}`;
    const before = google.requests.length;

    expect((await adjust(a.api, c.id, 'add', 25)).statusCode).toBe(201);
    await settle();
    const sent = google.requests.slice(before).filter((r) => r.path.startsWith('/walletobjects/'));
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${path}`]);
    expect(sent[0]!.body).toMatchObject({ id: link.objectId, loyaltyPoints: { balance: { int: 65 } }, notifyPreference: 'NOTIFY_ON_UPDATE' });
    expect(google.objects.get(link.objectId)).toMatchObject({ loyaltyPoints: { balance: { int: 65 } }, hasUsers: true });
    expect(await googleRow(c.id)).toMatchObject({ saved: true, last_error: null });
    expect(await googlePlatform.status(h.ctx, a.org.id, c.id)).toEqual({ saved: true });
    const timeline = await h.ctx.db.selectFrom('activity_events').selectAll().where('org_id', '=', a.org.id).where('customer_id', '=', c.id).where('type', '=', 'wallet.pass_added').execute();
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ summary: 'Saved the loyalty card to Google Wallet', actor_name: 'Google Wallet' });
    const summary = (await a.admin.get(`/api/v1/customers/${c.id}/wallet`)).json() as { google: { configured: boolean; saved: boolean } };
    expect(summary.google).toEqual({ configured: true, saved: true });

    // Told again about what Google already has: nothing is sent.
    const quiet = google.requests.length;
    await googlePassChanged(h.ctx, { previous: null, current: await passContent(h.ctx, a.org.id, c.id), kinds: [], notify: { balance: true, tier: true, rewardAvailable: true } });
    expect(google.requests.length).toBe(quiet);
  });

  it('inserts the object when Google does not have it yet (link given, never saved); no notification when the customer turned balance notices off', async () => {
    const c = await createCustomer(a.api);
    await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`);
    await setPreferences(h.ctx, a.org.id, c.id, { balance: false }, { type: 'customer', id: c.id, name: 'Customer' });
    const objectId = await objectIdOf(c.id);
    const path = `/walletobjects/v1/loyaltyObject/${objectId}`;
    let before = google.requests.length;
    expect((await adjust(a.api, c.id, 'add', 10)).statusCode).toBe(201);
    await settle();
    let sent = google.requests.slice(before).filter((r) => r.path.startsWith('/walletobjects/'));
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${path}`, 'POST /walletobjects/v1/loyaltyObject']);
    expect(sent[1]!.body).toMatchObject({ id: objectId, loyaltyPoints: { balance: { int: 10 } } });
    expect(google.objects.get(objectId)).toMatchObject({ hasUsers: false });
    expect(await googleRow(c.id)).toMatchObject({ saved: false, last_error: null });

    before = google.requests.length;
    expect((await adjust(a.api, c.id, 'add', 5)).statusCode).toBe(201);
    await settle();
    sent = google.requests.slice(before).filter((r) => r.path.startsWith('/walletobjects/'));
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${path}`]);
    expect(sent[0]!.body).toMatchObject({ loyaltyPoints: { balance: { int: 15 } } });
    expect(sent[0]!.body).not.toHaveProperty('notifyPreference');

    // A customer never given the link has no object: a change sends nothing to Google.
    const never = await createCustomer(a.api);
    await ensurePass(h.ctx, a.org.id, never.id);
    const quiet = google.requests.filter((r) => r.path.startsWith('/walletobjects/')).length;
    await adjust(a.api, never.id, 'add', 10);
    await settle();
    expect(google.requests.filter((r) => r.path.startsWith('/walletobjects/')).length).toBe(quiet);
  });

  it('a failed update throws when worth retrying and is recorded; a refusal is reported; an expired token is renewed once', async () => {
    const c = await createCustomer(a.api);
    await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`);
    const objectId = await objectIdOf(c.id);
    const path = `/walletobjects/v1/loyaltyObject/${objectId}`;
    const change = async (points: number) => ({
      previous: null,
      current: { ...(await passContent(h.ctx, a.org.id, c.id)), balance: points },
      kinds: ['balance' as const],
      notify: { balance: true, tier: true, rewardAvailable: true },
    });
    google.script(`PUT ${path}`, { status: 503, body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } } });
    await expect(googlePassChanged(h.ctx, await change(5))).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/HTTP 503.*UNAVAILABLE: The service is currently unavailable/) });
    expect((await googleRow(c.id))!.last_error).toMatch(/HTTP 503/);

    google.script(`PUT ${path}`, { status: 400, body: { error: { code: 400, message: 'Invalid barcode', status: 'INVALID_ARGUMENT' } } });
    const refused = await googlePassChanged(h.ctx, await change(6));
    expect(refused).toMatchObject({ platform: 'google', delivered: 0, failed: 1, reason: expect.stringMatching(/HTTP 400.*Invalid barcode/) });

    // Google forgot the token: the call is retried once with a new one.
    google.tokens.clear();
    const tokensBefore = google.calls('POST', '/token').length;
    expect(await googlePassChanged(h.ctx, await change(7))).toMatchObject({ delivered: 1, failed: 0 });
    expect(google.calls('POST', '/token').length).toBe(tokensBefore + 1);
    expect(await googleRow(c.id)).toMatchObject({ last_error: null });
    // No token or key in what was stored.
    const stored = JSON.stringify(await h.ctx.db.selectFrom('wallet_google_objects').selectAll().where('org_id', '=', a.org.id).execute());
    expect(stored).not.toMatch(/ya29\.|PRIVATE KEY/);
  });

  it('sends a push as an object message: TEXT_AND_NOTIFY when the customer accepts marketing notices, TEXT otherwise', async () => {
    const c = await createCustomer(a.api);
    const link = (await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`)).json() as { saveUrl: string; objectId: string };
    const content = await passContent(h.ctx, a.org.id, c.id);
    // Not saved yet: Google has no object to take the message.
    expect(await googlePlatform.sendMessage(h.ctx, content, 'Double points this weekend')).toMatchObject({ delivered: 0, failed: 0, reason: 'The customer has not saved the Google Wallet pass' });

    google.objects.set(link.objectId, { ...(jwtOf(link.saveUrl).claims.payload as { loyaltyObjects: Obj[] }).loyaltyObjects[0]!, hasUsers: true });
    expect(await googlePlatform.sendMessage(h.ctx, content, 'Double points this weekend')).toEqual({ platform: 'google', delivered: 1, failed: 0 });
    const first = google.calls('POST', `/walletobjects/v1/loyaltyObject/${link.objectId}/addMessage`);
    expect(first).toHaveLength(2);
    expect(first[1]!.body).toMatchObject({ message: { header: content.organizationName, body: 'Double points this weekend', messageType: 'TEXT' } });
    expect(await googleRow(c.id)).toMatchObject({ saved: true });

    await setPreferences(h.ctx, a.org.id, c.id, { marketing: true }, { type: 'customer', id: c.id, name: 'Customer' });
    await googlePlatform.sendMessage(h.ctx, content, 'Your reward is waiting');
    const second = google.calls('POST', `/walletobjects/v1/loyaltyObject/${link.objectId}/addMessage`).at(-1)!;
    expect(second.body).toMatchObject({ message: { body: 'Your reward is waiting', messageType: 'TEXT_AND_NOTIFY' } });
    expect((google.objects.get(link.objectId)!.messages as unknown[]).length).toBe(2);
  });

  it('a link too long for browsers (long terms) names the object by id only, after writing it through the API', async () => {
    const now = h.clock.now();
    const terms = 'Points have no cash value and cannot be exchanged. '.repeat(30).trim();
    await h.ctx.db
      .insertInto('wallet_settings')
      .values({ org_id: a.org.id, terms, mail_from: '', background_color: '#1f2a44', foreground_color: '#ffffff', created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ terms }))
      .execute();
    try {
      const c = await createCustomer(a.api);
      const objectId = await objectIdOf(c.id);
      const before = google.requests.length;
      const link = (await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`)).json() as { saveUrl: string };
      const jwt = link.saveUrl.slice('https://pay.google.com/gp/v/save/'.length);
      expect(jwt.length).toBeLessThanOrEqual(1800);
      expect((jwtOf(link.saveUrl).claims.payload as { loyaltyObjects: Obj[] }).loyaltyObjects).toEqual([{ id: objectId, classId: `${ISSUER}.${a.org.slug}` }]);
      const sent = google.requests.slice(before).filter((r) => r.path.startsWith('/walletobjects/'));
      expect(sent.map((r) => r.method)).toEqual(['PUT', 'POST']);
      expect(google.objects.get(objectId)).toMatchObject({ textModulesData: [{ id: 'terms', header: 'Terms', body: terms }] });
      // Asked again with nothing changed: no call, the same short link.
      const again = google.requests.length;
      await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`);
      expect(google.requests.length).toBe(again);
    } finally {
      await h.ctx.db.updateTable('wallet_settings').set({ terms: '' }).where('org_id', '=', a.org.id).execute();
    }
  });

  it('the token provider can be replaced (a test double) and the service-account flow caches per account', async () => {
    const seen: string[] = [];
    useGoogleTokenProvider(h.ctx, {
      accessToken: async (ctx, account) => {
        seen.push(account.clientEmail);
        return serviceAccountTokenProvider().accessToken(ctx, account);
      },
      forget: () => {},
    });
    try {
      const c = await createCustomer(a.api);
      const link = (await a.admin.get(`/api/v1/customers/${c.id}/wallet/google`)).json() as { objectId: string };
      google.objects.set(link.objectId, { id: link.objectId, hasUsers: true });
      await googlePlatform.sendMessage(h.ctx, await passContent(h.ctx, a.org.id, c.id), 'Hello');
      expect(seen).toEqual([EMAIL]);
    } finally {
      useGoogleTokenProvider(h.ctx, null);
    }
  });
});
