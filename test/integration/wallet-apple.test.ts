import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../src/events/dispatcher.js';
import { makeDevCertificates } from '../../src/modules/wallet/wallet.apple.certs.js';
import { configureApple } from '../../src/modules/wallet/wallet.apple.service.js';
import { ensurePass } from '../../src/modules/wallet/wallet.core.service.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, createCustomer } from '../helpers/factories.js';
import { timelineRows } from '../helpers/rewards-factories.js';

const dir = mkdtempSync(join(tmpdir(), 'patron-apple-'));
const PASS_TYPE = 'pass.test.patron.loyalty';
const TEAM = 'TEAMID1234';

let h: Harness;
let a: OrgFixture;
let apns: Http2SecureServer;
const apnsRequests: { path: string; topic: string; body: string; clientCn: string }[] = [];
let apnsAnswer: { status: number; reason?: string } = { status: 200 };

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function unzip(bytes: Buffer, name: string): string {
  const target = join(dir, name);
  writeFileSync(`${target}.zip`, bytes);
  execFileSync('python3', ['-m', 'zipfile', '-e', `${target}.zip`, target]);
  return target;
}

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  h.ctx.config.publicUrl = 'https://loyalty.example';
  // The APNs double: HTTP/2 over TLS with a self-signed certificate the client trusts through PATRON_APNS_CA.
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '2', '-keyout', 'apns-key.pem', '-out', 'apns-cert.pem']);
  apns = createSecureServer({ key: readFileSync(join(dir, 'apns-key.pem')), cert: readFileSync(join(dir, 'apns-cert.pem')), requestCert: true, rejectUnauthorized: false });
  apns.on('stream', (stream, headers) => {
    let body = '';
    stream.on('data', (c: Buffer) => (body += c.toString()));
    stream.on('end', () => {
      const peer = (stream.session?.socket as unknown as { getPeerCertificate(): { subject?: { CN?: string } } }).getPeerCertificate();
      apnsRequests.push({ path: String(headers[':path']), topic: String(headers['apns-topic']), body, clientCn: peer.subject?.CN ?? '' });
      stream.respond({ ':status': apnsAnswer.status, 'content-type': 'application/json' });
      stream.end(apnsAnswer.reason ? JSON.stringify({ reason: apnsAnswer.reason }) : '');
    });
  });
  await new Promise<void>((r) => apns.listen(0, '127.0.0.1', r));
  h.ctx.config.apnsUrl = `https://127.0.0.1:${(apns.address() as AddressInfo).port}`;
  h.ctx.config.apnsCa = join(dir, 'apns-cert.pem');
  const set = makeDevCertificates(PASS_TYPE, TEAM, h.clock.now());
  writeFileSync(join(dir, 'cert.pem'), set.certificatePem);
  writeFileSync(join(dir, 'key.pem'), set.keyPem);
  writeFileSync(join(dir, 'wwdr.pem'), set.wwdrPem);
  const done = await configureApple(h.ctx, a.org.id, { passTypeId: PASS_TYPE, teamId: TEAM, certificate: Buffer.from(set.certificatePem), key: Buffer.from(set.keyPem), wwdr: Buffer.from(set.wwdrPem) });
  expect(done.selfSigned).toBe(true);
});
afterAll(async () => {
  await new Promise((r) => apns.close(r));
  await h.close();
});

const auth = (token: string) => ({ authorization: `ApplePass ${token}` });
const drain = () => new OutboxDispatcher(h.ctx).drain();

describe(`Apple Wallet on ${ENGINE}`, () => {
  it('refuses certificates that do not fit, and a pass type another organization uses', async () => {
    const set = makeDevCertificates(PASS_TYPE, TEAM, h.clock.now());
    const other = makeDevCertificates(PASS_TYPE, TEAM, h.clock.now());
    const input = { passTypeId: PASS_TYPE, teamId: TEAM, certificate: Buffer.from(set.certificatePem), key: Buffer.from(set.keyPem), wwdr: Buffer.from(set.wwdrPem) };
    const b = await createOrgFixture(h);
    await expect(configureApple(h.ctx, b.org.id, { ...input, key: Buffer.from(other.keyPem) })).rejects.toThrow('--key: does not belong to the certificate');
    await expect(configureApple(h.ctx, b.org.id, { ...input, wwdr: Buffer.from(other.wwdrPem) })).rejects.toThrow('--wwdr: did not issue the certificate');
    await expect(configureApple(h.ctx, b.org.id, { ...input, passTypeId: 'com.example' })).rejects.toThrow('--pass-type-id: must be a Pass Type ID');
    await expect(configureApple(h.ctx, b.org.id, { ...input, passTypeId: 'pass.other.id' })).rejects.toThrow("differs from the certificate's pass type");
    await expect(configureApple(h.ctx, b.org.id, { ...input, certificate: Buffer.from('nope') })).rejects.toThrow('--cert: is not an X.509 certificate');
    const expiredAt = new Date(new X509Certificate(set.certificatePem).validTo);
    h.clock.set(new Date(expiredAt.getTime() + 1000));
    await expect(configureApple(h.ctx, b.org.id, input)).rejects.toThrow('--cert: expired on');
    h.clock.set(new Date(expiredAt.getTime() - 300 * 86_400_000));
    await expect(configureApple(h.ctx, b.org.id, input)).rejects.toMatchObject({ status: 409, message: expect.stringContaining('used by another organization') });
    const row = await h.ctx.db.selectFrom('wallet_apple_settings').selectAll().where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(row.key_sealed).not.toContain('PRIVATE KEY');
    expect(row.self_signed).toBe(true);
  });

  it('downloads a signed .pkpass whose manifest and signature verify', async () => {
    const c = await createCustomer(a.api, { firstName: 'Ada', lastName: 'Lovelace' });
    await adjust(a.api, c.id, 'add', 120);
    const res = await a.api.get(`/api/v1/customers/${c.id}/wallet/apple.pkpass`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apple.pkpass');
    const folder = unzip(res.rawPayload, 'staff');
    const pass = JSON.parse(readFileSync(join(folder, 'pass.json'), 'utf8'));
    const issued = await ensurePass(h.ctx, a.org.id, c.id);
    expect(pass).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: PASS_TYPE,
      teamIdentifier: TEAM,
      serialNumber: issued.serialNumber,
      organizationName: a.org.name,
      authenticationToken: issued.token,
      webServiceURL: 'https://loyalty.example/api/passkit',
      barcodes: [{ format: 'PKBarcodeFormatQR', message: issued.cardCode, messageEncoding: 'iso-8859-1' }],
    });
    expect(pass.storeCard.primaryFields[0]).toMatchObject({ key: 'balance', value: 120, changeMessage: 'Your balance is now %@ points' });
    expect(pass.storeCard.secondaryFields[0]).toMatchObject({ key: 'member', value: 'Ada Lovelace' });
    expect(pass.storeCard.backFields.find((f: { key: string }) => f.key === 'webapp').value).toBe(`https://loyalty.example/c/${issued.token}`);
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest).sort()).toEqual(['icon.png', 'icon@2x.png', 'logo.png', 'logo@2x.png', 'pass.json']);
    for (const [name, sha1] of Object.entries(manifest)) expect(createHash('sha1').update(readFileSync(join(folder, name))).digest('hex')).toBe(sha1);
    expect(readFileSync(join(folder, 'icon.png')).subarray(1, 4).toString()).toBe('PNG');
    // The detached PKCS#7 signature verifies over manifest.json (chain not checked: a development set).
    openssl(['smime', '-verify', '-binary', '-inform', 'DER', '-in', join(folder, 'signature'), '-content', join(folder, 'manifest.json'), '-noverify', '-out', '/dev/null']);
    const certs = openssl(['pkcs7', '-inform', 'DER', '-in', join(folder, 'signature'), '-print_certs']);
    expect(certs).toContain('WWDR stand-in');
    expect(certs).toContain(`Pass Type ID: ${PASS_TYPE}`);
    // A changed manifest no longer verifies.
    writeFileSync(join(folder, 'manifest.json'), '{}');
    expect(() => openssl(['smime', '-verify', '-binary', '-inform', 'DER', '-in', join(folder, 'signature'), '-content', join(folder, 'manifest.json'), '-noverify', '-out', '/dev/null'])).toThrow();
    // The customer's own link gives the same pass; a wrong token gives 404.
    const own = await h.app.inject({ method: 'GET', url: `/c/${issued.token}/apple.pkpass` });
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(readFileSync(join(unzip(own.rawPayload, 'own'), 'pass.json'), 'utf8')).serialNumber).toBe(issued.serialNumber);
    expect((await h.app.inject({ method: 'GET', url: `/c/${issued.token.slice(0, -2)}xx/apple.pkpass` })).statusCode).toBe(404);
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    expect((await a.api.get(`/api/v1/customers/${guest.id}/wallet/apple.pkpass`)).statusCode).toBe(409);
    const viewer = await staffClient(h, a.org.id, []);
    expect((await viewer.get(`/api/v1/customers/${c.id}/wallet/apple.pkpass`)).statusCode).toBe(403);
  });

  it('serves the PassKit web service and pushes exactly one update per device after a balance change', async () => {
    const c = await createCustomer(a.api);
    const pass = await ensurePass(h.ctx, a.org.id, c.id);
    expect((await a.api.get(`/api/v1/customers/${c.id}/wallet/apple.pkpass`)).statusCode).toBe(200);
    const reg = `/api/passkit/v1/devices/device-A/registrations/${PASS_TYPE}/${pass.serialNumber}`;
    expect((await h.app.inject({ method: 'POST', url: reg, payload: { pushToken: 'token-A' } })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: reg, payload: { pushToken: 'token-A' }, headers: auth('x'.repeat(43)) })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: reg, payload: { pushToken: 'token-A' }, headers: auth(pass.token) })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: reg, payload: { pushToken: 'token-A' }, headers: auth(pass.token) })).statusCode).toBe(200);
    const otherPass = await ensurePass(h.ctx, a.org.id, (await createCustomer(a.api)).id);
    expect((await h.app.inject({ method: 'POST', url: reg, payload: { pushToken: 'token-A' }, headers: auth(otherPass.token) })).statusCode).toBe(401);
    expect((await a.api.get(`/api/v1/customers/${c.id}/wallet`)).json().apple).toEqual({ configured: true, devices: 1 });

    const list = `/api/passkit/v1/devices/device-A/registrations/${PASS_TYPE}`;
    const all = await h.app.inject({ method: 'GET', url: list });
    expect(all.statusCode).toBe(200);
    const tag = all.json().lastUpdated as string;
    expect(all.json().serialNumbers).toEqual([pass.serialNumber]);
    expect((await h.app.inject({ method: 'GET', url: `${list}?passesUpdatedSince=${tag}` })).statusCode).toBe(204);

    h.clock.advance(5000);
    apnsRequests.length = 0;
    expect((await adjust(a.api, c.id, 'add', 75)).statusCode).toBe(201);
    await drain();
    expect(apnsRequests).toEqual([{ path: '/3/device/token-A', topic: PASS_TYPE, body: '{}', clientCn: `Pass Type ID: ${PASS_TYPE} (NOT ACCEPTED BY IPHONES)` }]);
    const changed = await h.app.inject({ method: 'GET', url: `${list}?passesUpdatedSince=${tag}` });
    expect(changed.json().serialNumbers).toEqual([pass.serialNumber]);
    const latestUrl = `/api/passkit/v1/passes/${PASS_TYPE}/${pass.serialNumber}`;
    expect((await h.app.inject({ method: 'GET', url: latestUrl })).statusCode).toBe(401);
    const latest = await h.app.inject({ method: 'GET', url: latestUrl, headers: auth(pass.token) });
    expect(latest.statusCode).toBe(200);
    expect(JSON.parse(readFileSync(join(unzip(latest.rawPayload, 'latest'), 'pass.json'), 'utf8')).storeCard.primaryFields[0].value).toBe(75);
    const notModified = await h.app.inject({ method: 'GET', url: latestUrl, headers: { ...auth(pass.token), 'if-modified-since': String(latest.headers['last-modified']) } });
    expect(notModified.statusCode).toBe(304);
    expect((await h.app.inject({ method: 'POST', url: '/api/passkit/v1/log', payload: { logs: ['something happened'] } })).statusCode).toBe(200);

    // Balance notifications off, and the balance the only change: no push.
    const store = (await import('../helpers/harness.js')).apiKeyClient;
    const key = await store(h, a.org.id, ['customers:read', 'customers:write']);
    expect((await key.client.put(`/api/v1/customers/${c.id}/notification-preferences`, { balance: false })).statusCode).toBe(200);
    apnsRequests.length = 0;
    await adjust(a.api, c.id, 'add', 5);
    await drain();
    expect(apnsRequests).toEqual([]);
    const quiet = await h.app.inject({ method: 'GET', url: latestUrl, headers: auth(pass.token) });
    const quietPass = JSON.parse(readFileSync(join(unzip(quiet.rawPayload, 'quiet'), 'pass.json'), 'utf8'));
    expect(quietPass.storeCard.primaryFields[0]).toEqual({ key: 'balance', label: 'Points', value: 80 });

    // A device APNs no longer knows is removed.
    expect((await key.client.put(`/api/v1/customers/${c.id}/notification-preferences`, { balance: true })).statusCode).toBe(200);
    apnsAnswer = { status: 410, reason: 'Unregistered' };
    await adjust(a.api, c.id, 'add', 1);
    await drain();
    apnsAnswer = { status: 200 };
    expect(apnsRequests).toHaveLength(1);
    expect((await a.api.get(`/api/v1/customers/${c.id}/wallet`)).json().apple.devices).toBe(0);

    expect((await h.app.inject({ method: 'POST', url: reg, payload: { pushToken: 'token-B' }, headers: auth(pass.token) })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'DELETE', url: reg, headers: auth(pass.token) })).statusCode).toBe(200);
    const events = (await timelineRows(h, a.org.id, c.id)).filter((e) => e.type.startsWith('wallet.'));
    expect(events.map((e) => [e.type, e.actor_type])).toEqual([
      ['wallet.pass_added', 'customer'],
      ['wallet.pass_added', 'customer'],
      ['wallet.pass_removed', 'customer'],
    ]);
  });
});
