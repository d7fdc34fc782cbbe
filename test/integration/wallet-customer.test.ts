import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePass } from '../../src/modules/wallet/index.js';
import { qrMatrix } from '../../src/modules/wallet/wallet.customer.qr.js';
import { adjust, createCustomer } from '../helpers/factories.js';
import { apiKeyClient, createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { createReward, timelineRows } from '../helpers/rewards-factories.js';

/**
 * The customer's side of wallet passes: the pass web app (/c/{token} and its JSON API, the
 * pass token being the only credential), scans at a till and taps on NFC readers.
 */

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
});
afterAll(async () => {
  await h?.close();
});

async function member(f: OrgFixture, body: Record<string, unknown> = {}) {
  const c = await createCustomer(f.api, { firstName: 'Ada', lastName: 'Lovelace', ...body });
  const pass = await ensurePass(h.ctx, f.org.id, c.id);
  return { ...c, ...pass };
}

const summary = async (f: OrgFixture, customerId: string) => (await f.admin.get(`/api/v1/customers/${customerId}/wallet`)).json() as { clicks: number; scans: number; lastScanAt: string | null };
const interactions = async (orgId: string) =>
  Number((await h.ctx.db.selectFrom('wallet_interactions').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);
const walletEvents = async (f: OrgFixture, customerId: string) => (await timelineRows(h, f.org.id, customerId)).filter((r) => r.type.startsWith('wallet.'));

// jsqr is CommonJS with a `default` property; its types describe an ES default export.
const jsQR = (jsQRModule as unknown as { default: (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null }).default;

/** Reads a QR code back from its module matrix, as a camera would see it (4 px a module, white quiet zone). */
function decodeQr(matrix: boolean[][]): string | null {
  const scale = 4;
  const quiet = 4;
  const size = (matrix.length + quiet * 2) * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  matrix.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let y = 0; y < scale; y++)
        for (let x = 0; x < scale; x++) {
          const i = (((r + quiet) * scale + y) * size + (c + quiet) * scale + x) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }),
  );
  return jsQR(data, size, size)?.data ?? null;
}

describe(`scans on ${ENGINE}`, () => {
  it('finds the customer by card code, records the scan with where it happened, and answers their summary', async () => {
    const c = await member(a, { firstName: 'Grace', lastName: 'Hopper' });
    await createReward(a.api, { name: 'Free espresso', pointsCost: 50 });
    expect((await adjust(a.api, c.id, 'add', 120)).statusCode).toBe(201);
    expect(await summary(a, c.id)).toMatchObject({ scans: 0, clicks: 0, lastScanAt: null });

    // Typed by hand at a till: lower case with a space and a dash.
    const typed = `${c.cardCode.slice(0, 4).toLowerCase()} ${c.cardCode.slice(4, 8)}-${c.cardCode.slice(8)}`;
    const res = await a.api.post('/api/v1/scans', { code: typed, location: 'Store 12', device: 'till 3' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      location: 'Store 12',
      device: 'till 3',
      customer: { id: c.id, name: 'Grace Hopper', membership: 'member', balance: 120, tier: null },
    });
    expect(res.json().customer.rewardsAvailable).toContain('Free espresso');
    const after = await summary(a, c.id);
    expect(after.scans).toBe(1);
    expect(after.clicks).toBe(0);
    expect(after.lastScanAt).toBe(res.json().at);

    const events = await walletEvents(a, c.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'wallet.scanned', summary: 'Scanned at Store 12 (till 3)', actor_type: 'api_key' });
    expect(events[0]!.payload).toMatchObject({ location: 'Store 12', device: 'till 3', interactionId: res.json().id });

    // A staff member scanning from the admin session; nothing about where.
    const staff = await staffClient(h, a.org.id, ['customers:read', 'customers:write']);
    const bare = await staff.post('/api/v1/scans', { code: c.cardCode });
    expect(bare.statusCode).toBe(201);
    expect(bare.json()).toMatchObject({ location: null, device: null });
    expect((await summary(a, c.id)).scans).toBe(2);
    expect((await walletEvents(a, c.id)).at(-1)).toMatchObject({ summary: 'Scanned', actor_type: 'user' });
  });

  it('records a retried scan once with the same Idempotency-Key', async () => {
    const c = await member(a);
    const key = { 'idempotency-key': `scan-${c.id}` };
    const first = await a.api.post('/api/v1/scans', { code: c.cardCode, location: 'Store 1' }, key);
    const again = await a.api.post('/api/v1/scans', { code: c.cardCode, location: 'Store 1' }, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect((await summary(a, c.id)).scans).toBe(1);
  });

  it("does not find another organization's card, refuses bad input naming the field, and writes nothing then", async () => {
    const c = await member(a);
    const before = await interactions(a.org.id);
    const beforeB = await interactions(b.org.id);
    const foreign = await b.api.post('/api/v1/scans', { code: c.cardCode });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.message).toContain('No loyalty card with the code');
    const unknown = await a.api.post('/api/v1/scans', { code: 'ZZZZZZZZZZZZ' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.details).toMatchObject({ field: 'code' });

    const bad: [Record<string, unknown>, string][] = [
      [{}, 'code'],
      [{ code: '' }, 'code'],
      [{ code: 'X'.repeat(65) }, 'code'],
      [{ code: 42 }, 'code'],
      [{ code: c.cardCode, location: 'L'.repeat(201) }, 'location'],
      [{ code: c.cardCode, device: 'D'.repeat(201) }, 'device'],
      [{ code: c.cardCode, location: '   ' }, 'location'],
      [{ code: c.cardCode, till: 3 }, 'till'],
    ];
    for (const [body, field] of bad) {
      const r = await a.api.post('/api/v1/scans', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.json().error), JSON.stringify(body)).toContain(field);
    }
    // Exactly 200 characters is fine.
    expect((await a.api.post('/api/v1/scans', { code: c.cardCode, location: 'L'.repeat(200) })).statusCode).toBe(201);
    expect(await interactions(a.org.id)).toBe(before + 1);
    expect(await interactions(b.org.id)).toBe(beforeB);
  });

  it('needs customers:write', async () => {
    const c = await member(a);
    const viewer = await apiKeyClient(h, a.org.id, ['customers:read']);
    const r = await viewer.client.post('/api/v1/scans', { code: c.cardCode });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.details.permission).toBe('customers:write');
    expect((await a.api.post('/api/v1/scans', { code: c.cardCode }, { authorization: 'Bearer pk_nope' })).statusCode).toBe(401);
    expect((await summary(a, c.id)).scans).toBe(0);
  });
});

describe(`taps on ${ENGINE}`, () => {
  it('records taps by serial number or card code as clicks, with the platform on the timeline', async () => {
    const c = await member(a);
    const apple = await a.api.post('/api/v1/taps', { serialNumber: c.serialNumber.toUpperCase(), platform: 'apple', location: 'Store 12', device: 'door reader' });
    expect(apple.statusCode).toBe(201);
    expect(apple.json()).toMatchObject({ platform: 'apple', location: 'Store 12', customer: { id: c.id } });
    const google = await a.api.post('/api/v1/taps', { code: c.cardCode, platform: 'google' });
    expect(google.statusCode).toBe(201);
    expect(await summary(a, c.id)).toMatchObject({ clicks: 2, scans: 0 });
    const events = await walletEvents(a, c.id);
    expect(events.map((e) => e.summary)).toEqual(['Tapped an NFC reader with the Apple pass at Store 12 (door reader)', 'Tapped an NFC reader with the Google pass']);
    expect(events.every((e) => e.type === 'wallet.tapped')).toBe(true);
    expect(events[0]!.payload).toMatchObject({ platform: 'apple', location: 'Store 12', device: 'door reader' });
  });

  it("refuses staff sessions, bad input and other organizations' passes without writing", async () => {
    const c = await member(a);
    const before = await interactions(a.org.id);
    const session = await a.admin.post('/api/v1/taps', { code: c.cardCode, platform: 'apple' });
    expect(session.statusCode).toBe(403);
    expect(session.json().error.message).toContain('API key');
    expect((await b.api.post('/api/v1/taps', { serialNumber: c.serialNumber, platform: 'apple' })).statusCode).toBe(404);
    expect((await b.api.post('/api/v1/taps', { code: c.cardCode, platform: 'google' })).statusCode).toBe(404);
    const bad: [Record<string, unknown>, string][] = [
      [{ platform: 'apple' }, 'exactly one of code'],
      [{ code: c.cardCode, serialNumber: c.serialNumber, platform: 'apple' }, 'exactly one of code'],
      [{ code: c.cardCode }, 'platform'],
      [{ code: c.cardCode, platform: 'samsung' }, 'platform'],
      [{ serialNumber: 'not-a-serial', platform: 'apple' }, 'serialNumber'],
      [{ code: c.cardCode, platform: 'apple', device: 'D'.repeat(201) }, 'device'],
    ];
    for (const [body, text] of bad) {
      const r = await a.api.post('/api/v1/taps', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.json().error), JSON.stringify(body)).toContain(text);
    }
    expect(await interactions(a.org.id)).toBe(before);
    expect((await summary(a, c.id)).clicks).toBe(0);
  });
});

describe(`pass web app on ${ENGINE}`, () => {
  it('renders the card: organization, member, balance, tier, a QR code of the card code, the toggles', async () => {
    const c = await member(a, { firstName: 'Zoë', lastName: '<b>Bold</b>' });
    expect((await adjust(a.api, c.id, 'add', 1250)).statusCode).toBe(201);
    const res = await h.app.inject({ method: 'GET', url: `/c/${c.token}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const html = res.body;
    expect(html).toContain(a.org.name);
    expect(html).toContain('Zoë &lt;b&gt;Bold&lt;/b&gt;');
    expect(html).not.toContain('<b>Bold</b>');
    expect(html).toContain('1,250 points');
    expect(html).toContain('No tier yet');
    expect(html).toContain(c.cardCode.replace(/(.{4})(?=.)/g, '$1 '));
    expect(html).toContain(`data-endpoint="/api/v1/pass/${c.token}/preferences"`);
    // No inline script (the policy forbids it): only the page's own file.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).toContain('<script src="/c/pass.js" defer></script>');
    for (const name of ['balance', 'location', 'marketing', 'tier', 'rewardAvailable']) expect(html).toContain(`name="${name}"`);
    // No wallet configured: no links.
    expect(html).not.toContain('Add to Apple Wallet');
    expect(html).not.toContain('Save to Google Wallet');
    // The drawn QR code reads back as the card code.
    expect(html).toMatch(/<svg[^>]+role="img"/);
    expect(decodeQr(qrMatrix(c.cardCode))).toBe(c.cardCode);

    const script = await h.app.inject({ method: 'GET', url: '/c/pass.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body).toContain("method: 'PATCH'");
  });

  it('shows the wallet links only for the platforms the organization configured', async () => {
    const f = await createOrgFixture(h);
    const c = await member(f);
    const now = h.clock.now();
    await h.ctx.db
      .insertInto('wallet_google_settings')
      .values({ org_id: f.org.id, issuer_id: '3388000000000000000', service_account_email: 'sa@example.iam.gserviceaccount.com', key_sealed: 'sealed', class_suffix: 'loyalty', origins: [], created_at: now, updated_at: now })
      .execute();
    const html = (await h.app.inject({ method: 'GET', url: `/c/${c.token}` })).body;
    expect(html).toContain(`href="/c/${c.token}/google"`);
    expect(html).not.toContain('apple.pkpass');
    const view = (await h.app.inject({ method: 'GET', url: `/api/v1/pass/${c.token}` })).json();
    expect(view.googleWalletUrl).toMatch(new RegExp(`/c/${c.token}/google$`));
    expect(view.appleWalletUrl).toBeNull();
  });

  it('answers the card as JSON and saves preferences as the customer, recorded on the timeline', async () => {
    const c = await member(a);
    await adjust(a.api, c.id, 'add', 40);
    const view = await h.app.inject({ method: 'GET', url: `/api/v1/pass/${c.token}` });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({
      organizationName: a.org.name,
      memberName: 'Ada Lovelace',
      balance: 40,
      tier: null,
      cardCode: c.cardCode,
      preferences: { balance: true, location: true, marketing: false, tier: true, rewardAvailable: true },
      appleWalletUrl: null,
      googleWalletUrl: null,
    });
    const patch = await h.app.inject({ method: 'PATCH', url: `/api/v1/pass/${c.token}/preferences`, payload: { marketing: true, location: false } });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toEqual({ balance: true, location: false, marketing: true, tier: true, rewardAvailable: true });
    // Staff read what the customer chose.
    expect((await a.admin.get(`/api/v1/customers/${c.id}/notification-preferences`)).json()).toMatchObject({ marketing: true, location: false });
    const events = (await timelineRows(h, a.org.id, c.id)).filter((e) => e.type === 'preferences.updated');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: 'customer', actor_id: c.id, actor_name: 'The customer' });
    expect(events[0]!.summary).toContain('marketing on');
    // The page shows the saved state.
    const html = (await h.app.inject({ method: 'GET', url: `/c/${c.token}` })).body;
    expect(html).toMatch(/name="location" aria-describedby="hint-location" disabled>/);
    expect(html).toMatch(/name="marketing" aria-describedby="hint-marketing" checked disabled>/);
    expect(html).toMatch(/name="balance" aria-describedby="hint-balance" checked disabled>/);
  });

  it('refuses bad preference input, non-JSON bodies and cookies-only callers, changing nothing', async () => {
    const c = await member(a);
    const url = `/api/v1/pass/${c.token}/preferences`;
    const cases = [
      { payload: {}, status: 400 },
      { payload: { balance: 'no' }, status: 400 },
      { payload: { sms: true }, status: 400 },
    ];
    for (const k of cases) {
      const r = await h.app.inject({ method: 'PATCH', url, payload: k.payload });
      expect(r.statusCode, JSON.stringify(k.payload)).toBe(k.status);
    }
    const form = await h.app.inject({ method: 'PATCH', url, payload: 'balance=false', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(415);
    const text = await h.app.inject({ method: 'PATCH', url, payload: '{"balance":false}', headers: { 'content-type': 'text/plain' } });
    expect([400, 415]).toContain(text.statusCode);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/pass/${c.token}` })).json().preferences.balance).toBe(true);
    expect((await timelineRows(h, a.org.id, c.id)).filter((e) => e.type === 'preferences.updated')).toHaveLength(0);
  });

  it('answers an unknown, altered or erased link with the same 404 page, and the API with 401', async () => {
    const c = await member(a, { email: `erase-${Date.now()}@example.com` });
    const altered = `${c.token.slice(0, -2)}${c.token.endsWith('AA') ? 'BB' : 'AA'}`;
    const pages = await Promise.all(
      ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', altered, 'x', '%3Cscript%3E'].map((t) => h.app.inject({ method: 'GET', url: `/c/${t}` })),
    );
    for (const p of pages) {
      expect(p.statusCode).toBe(404);
      expect(p.headers['content-type']).toContain('text/html');
      expect(p.body).toContain('This card link is not valid');
      expect(p.body).not.toContain('<script');
    }
    expect(new Set(pages.map((p) => p.body)).size).toBe(1);
    for (const method of ['GET', 'PATCH'] as const) {
      const r = await h.app.inject({ method, url: `/api/v1/pass/${altered}${method === 'PATCH' ? '/preferences' : ''}`, ...(method === 'PATCH' ? { payload: { marketing: false } } : {}) });
      expect(r.statusCode).toBe(401);
    }

    // Erased: the link stops working, exactly like one that never existed.
    const email = (await a.api.get(`/api/v1/customers/${c.id}`)).json().email as string;
    expect((await a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: email })).statusCode).toBe(200);
    const erased = await h.app.inject({ method: 'GET', url: `/c/${c.token}` });
    expect(erased.statusCode).toBe(404);
    expect(erased.body).toBe(pages[0]!.body);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/pass/${c.token}` })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'PATCH', url: `/api/v1/pass/${c.token}/preferences`, payload: { marketing: false } })).statusCode).toBe(401);
  });

  it("one customer's token never reaches another customer or organization", async () => {
    const mine = await member(a);
    const theirs = await member(b);
    const view = (await h.app.inject({ method: 'GET', url: `/api/v1/pass/${theirs.token}` })).json();
    expect(view.cardCode).toBe(theirs.cardCode);
    expect(view.organizationName).toBe(b.org.name);
    await h.app.inject({ method: 'PATCH', url: `/api/v1/pass/${theirs.token}/preferences`, payload: { tier: false } });
    expect((await a.admin.get(`/api/v1/customers/${mine.id}/notification-preferences`)).json().tier).toBe(true);
    expect((await b.admin.get(`/api/v1/customers/${theirs.id}/notification-preferences`)).json().tier).toBe(false);
    // Staff credentials are not a pass token.
    expect((await a.admin.get(`/api/v1/pass/${mine.id}`)).statusCode).toBe(401);
  });
});

describe(`issuing a pass and the web app's limits on ${ENGINE}`, () => {
  it('issues the pass to members only, the same pass every time, with customers:write', async () => {
    const c = await createCustomer(a.api);
    const first = await a.api.post(`/api/v1/customers/${c.id}/wallet/pass`);
    expect(first.statusCode).toBe(200);
    expect(first.json().cardCode).toMatch(/^[A-Z0-9]{12}$/);
    expect(first.json().webAppUrl).toMatch(/\/c\/[A-Za-z0-9_-]{43}$/);
    const again = await a.admin.post(`/api/v1/customers/${c.id}/wallet/pass`);
    expect(again.json()).toEqual(first.json());
    // The link opens the card.
    const path = new URL(first.json().webAppUrl, 'http://x').pathname;
    expect((await h.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);

    const guest = await createCustomer(a.api, { accountState: 'guest' });
    const refused = await a.api.post(`/api/v1/customers/${guest.id}/wallet/pass`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('MEMBERSHIP_RESTRICTED');
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.post(`/api/v1/customers/${c.id}/wallet/pass`)).statusCode).toBe(403);
    expect((await b.api.post(`/api/v1/customers/${c.id}/wallet/pass`)).statusCode).toBe(404);
    // A stored Idempotency-Key reply keeps the link sealed.
    const key = { 'idempotency-key': `issue-${c.id}` };
    expect((await a.api.post(`/api/v1/customers/${c.id}/wallet/pass`, undefined, key)).statusCode).toBe(200);
    const stored = await h.ctx.db.selectFrom('idempotency_keys').selectAll().where('org_id', '=', a.org.id).where('key', '=', key['idempotency-key']).executeTakeFirst();
    expect(stored?.status).toBe('done');
    expect(JSON.stringify(stored)).not.toContain(path.slice(3));
  });

  it('takes 60 requests a minute for one card, then 429 with Retry-After, and nothing is saved past it', async () => {
    const f = await createOrgFixture(h);
    const c = await member(f);
    for (let i = 0; i < 59; i++) expect((await h.app.inject({ method: 'GET', url: `/api/v1/pass/${c.token}` })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: `/c/${c.token}` })).statusCode).toBe(200);
    const api = await h.app.inject({ method: 'PATCH', url: `/api/v1/pass/${c.token}/preferences`, payload: { tier: false } });
    expect(api.statusCode).toBe(429);
    expect(api.json().error.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    const page = await h.app.inject({ method: 'GET', url: `/c/${c.token}` });
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain('Too many requests');
    expect((await f.admin.get(`/api/v1/customers/${c.id}/notification-preferences`)).json().tier).toBe(true);
    // Another card is not affected; a minute later this one works again.
    const other = await member(f);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/pass/${other.token}` })).statusCode).toBe(200);
    h.clock.advance(61_000);
    expect((await h.app.inject({ method: 'PATCH', url: `/api/v1/pass/${c.token}/preferences`, payload: { tier: false } })).statusCode).toBe(200);
  });
});
