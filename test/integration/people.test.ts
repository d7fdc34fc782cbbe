import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { Metrics } from '../../src/http/metrics.js';
import { createOrganization } from '../../src/modules/orgs/orgs.service.js';
import { createUser } from '../../src/modules/users/users.service.js';
import { Client, createHarness, createOrgFixture, ENGINE, login, staffClient, TEST_PASSWORD, unique, type Harness, type OrgFixture } from '../helpers/harness.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
});
afterAll(async () => h.close());

interface Created {
  invitation: { id: string; email: string; role: string; status: string };
  token: string;
  acceptPath: string;
  acceptUrl: string | null;
}

async function invite(from: Client, email: string, role: 'admin' | 'staff' = 'staff', permissions?: string[]): Promise<Created> {
  const res = await from.post('/api/v1/invitations', { email, role, ...(permissions ? { permissions } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Created;
}

function anonymous(method: 'GET' | 'POST', url: string, payload?: unknown, remoteAddress?: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), ...(remoteAddress ? { remoteAddress } : {}) });
}

function sessionOf(res: LightMyRequestResponse): Client {
  const cookie = res.cookies.find((c) => c.name === 'patron_session');
  if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
  return new Client(h.app, { cookie: `patron_session=${cookie.value}`, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken });
}

async function loginTo(email: string, slug: string): Promise<Client> {
  const res = await anonymous('POST', '/api/v1/auth/login', { email, password: TEST_PASSWORD, organization: slug });
  expect(res.statusCode, res.body).toBe(200);
  return sessionOf(res);
}

async function memberships(userEmail: string) {
  return h.ctx.db
    .selectFrom('org_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.org_id', 'm.role', 'm.disabled_at'])
    .where('u.email', '=', userEmail)
    .execute();
}

async function personId(client: Client): Promise<string> {
  return ((await client.get('/api/v1/me')).json() as { user: { id: string } }).user.id;
}

describe(`people and invitations on ${ENGINE}`, () => {
  it("inviting another organization's admin adds nobody and reveals nothing about them", async () => {
    await a.admin.patch('/api/v1/me', { name: 'Alice Private-Name' });
    const before = await memberships(a.adminEmail);
    const stranger = `${unique('new')}@example.com`;
    const existing = await b.admin.post('/api/v1/invitations', { email: a.adminEmail, role: 'admin' });
    const fresh = await b.admin.post('/api/v1/invitations', { email: stranger, role: 'admin' });
    expect(existing.statusCode, existing.body).toBe(201);
    expect(fresh.statusCode).toBe(201);
    // The same reply whether or not the email has a sign-in, and none of the person's data.
    expect(Object.keys(existing.json() as object).sort()).toEqual(Object.keys(fresh.json() as object).sort());
    expect(existing.body).not.toContain('Alice Private-Name');
    expect(existing.body).not.toContain(await personId(a.admin));
    expect((existing.json() as Created).invitation).toMatchObject({ email: a.adminEmail, role: 'admin', status: 'pending' });
    // Nothing changed for that person: no membership in B, B's users list does not show them.
    expect(await memberships(a.adminEmail)).toEqual(before);
    const bUsers = (await b.admin.get('/api/v1/users')).json() as { items: { email: string }[] };
    expect(bUsers.items.map((u) => u.email)).not.toContain(a.adminEmail);
    // The old direct route is gone: it cannot add an existing person either.
    const direct = await b.admin.post('/api/v1/users', { email: a.adminEmail, password: 'whatever-password', role: 'admin' });
    expect(direct.statusCode).toBe(404);
    expect(await memberships(a.adminEmail)).toEqual(before);
    // Only the token's hash is stored.
    const stored = await h.ctx.db.selectFrom('invitations').selectAll().where('id', '=', (existing.json() as Created).invitation.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain((existing.json() as Created).token);
  });

  it('an existing person joins only by accepting while signed in as the invited email; the token works once', async () => {
    const person = `${unique('person')}@example.com`;
    await createUser(h.ctx, a.org.id, { email: person, password: TEST_PASSWORD, role: 'staff', permissions: ['viewer'] });
    const inv = await invite(b.admin, person, 'staff', ['marketing']);
    expect(inv.acceptPath).toBe(`/invitations/accept#token=${inv.token}`);
    const preview = await anonymous('POST', '/api/v1/invitations/preview', { token: inv.token });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ organization: { name: b.org.name, slug: b.org.slug }, email: person, role: 'staff' });

    // Someone else, signed in, cannot use the link.
    const other = await staffClient(h, b.org.id, ['viewer']);
    const wrongPerson = await other.post('/api/v1/invitations/accept', { token: inv.token });
    expect(wrongPerson.statusCode).toBe(403);
    // Nobody can take over the existing sign-in by choosing a password.
    const takeover = await anonymous('POST', '/api/v1/invitations/register', { token: inv.token, password: 'attacker-password-1' });
    expect(takeover.statusCode).toBe(409);
    expect(takeover.json().error.message).toMatch(/sign in/i);
    expect((await memberships(person)).map((m) => m.org_id)).toEqual([a.org.id]);

    const signedIn = await login(h, person);
    const accepted = await signedIn.post('/api/v1/invitations/accept', { token: inv.token });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ organization: { id: b.org.id }, role: 'staff' });
    expect((accepted.json() as { permissions: string[] }).permissions).toEqual(['customers:read', 'data:export', 'data:import']);
    expect((await memberships(person)).map((m) => m.org_id).sort()).toEqual([a.org.id, b.org.id].sort());
    // In A nothing changed.
    const inA = (await a.admin.get('/api/v1/users')).json() as { items: { email: string; permissions: string[] }[] };
    expect(inA.items.find((u) => u.email === person)?.permissions).toEqual(['customers:read']);

    const again = await signedIn.post('/api/v1/invitations/accept', { token: inv.token });
    expect(again.statusCode).toBe(422);
    expect(again.json().error.details.reason).toBe('used');
    const unknownToken = await signedIn.post('/api/v1/invitations/accept', { token: 'x'.repeat(43) });
    expect(unknownToken.statusCode).toBe(404);
    expect(unknownToken.json().error.details.field).toBe('token');
    const listed = (await b.admin.get('/api/v1/invitations')).json() as { items: { email: string }[] };
    expect(listed.items.map((i) => i.email)).not.toContain(person);
  });

  it('someone new accepts by choosing a password, is signed in, and can sign in again', async () => {
    const email = `${unique('newcomer')}@example.com`;
    const inv = await invite(b.admin, email, 'staff', ['viewer']);
    const short = await anonymous('POST', '/api/v1/invitations/register', { token: inv.token, password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details.fields[0].field).toBe('password');
    const res = await anonymous('POST', '/api/v1/invitations/register', { token: inv.token, name: 'Nora Newcomer', password: 'a-long-enough-password' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ organization: { id: b.org.id }, user: { email, name: 'Nora Newcomer' }, role: 'staff' });
    const me = await sessionOf(res).get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    const second = await anonymous('POST', '/api/v1/invitations/register', { token: inv.token, password: 'another-long-password' });
    expect(second.statusCode).toBe(422);
    expect((await login(h, email, 'a-long-enough-password').then((c) => c.get('/api/v1/me'))).json()).toMatchObject({ organization: { id: b.org.id } });
  });

  it('a revoked or expired invitation answers 422 and changes nothing; admins of other organizations cannot see or revoke it', async () => {
    const email = `${unique('revoked')}@example.com`;
    const inv = await invite(b.admin, email);
    expect((await a.admin.delete(`/api/v1/invitations/${inv.invitation.id}`)).statusCode).toBe(404);
    expect(((await a.admin.get('/api/v1/invitations')).json() as { items: { id: string }[] }).items.map((i) => i.id)).not.toContain(inv.invitation.id);
    const revoked = await b.admin.delete(`/api/v1/invitations/${inv.invitation.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ status: 'revoked' });
    const used = await anonymous('POST', '/api/v1/invitations/register', { token: inv.token, password: 'a-long-enough-password' });
    expect(used.statusCode).toBe(422);
    expect(used.json().error.details.reason).toBe('revoked');

    // A new invitation for the same email replaces the open one.
    const first = await invite(b.admin, email);
    const second = await invite(b.admin, email);
    expect((await anonymous('POST', '/api/v1/invitations/preview', { token: first.token })).json().error.details.reason).toBe('revoked');
    const pending = (await b.admin.get('/api/v1/invitations')).json() as { items: { email: string; status: string }[] };
    expect(pending.items.filter((i) => i.email === email)).toHaveLength(1);

    h.clock.advanceDays(8);
    try {
      const late = await anonymous('POST', '/api/v1/invitations/register', { token: second.token, password: 'a-long-enough-password' });
      expect(late.statusCode).toBe(422);
      expect(late.json().error.details.reason).toBe('expired');
      expect(await memberships(email)).toEqual([]);
    } finally {
      h.clock.advanceDays(-8);
    }
  });

  it('refuses bad invitations with the field named, and only admins invite', async () => {
    const bad = await b.admin.post('/api/v1/invitations', { email: 'not-an-email', role: 'staff' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe('email');
    const perms = await b.admin.post('/api/v1/invitations', { email: 'x@example.com', role: 'staff', permissions: ['fly'] });
    expect(perms.statusCode).toBe(400);
    expect(perms.json().error.message).toContain('fly');
    const member = await b.admin.post('/api/v1/invitations', { email: b.adminEmail, role: 'staff' });
    expect(member.statusCode).toBe(409);
    const viewer = await staffClient(h, b.org.id, ['viewer']);
    expect((await viewer.post('/api/v1/invitations', { email: 'y@example.com', role: 'staff' })).statusCode).toBe(403);
    const open = (await b.admin.get('/api/v1/invitations')).json() as { items: { email: string }[] };
    expect(open.items.map((i) => i.email)).not.toContain('x@example.com');
    expect(open.items.map((i) => i.email)).not.toContain('y@example.com');
  });

  it("an organization changes only its own membership: no renames, and disabling ends only that organization's sessions", async () => {
    const shared = `${unique('shared')}@example.com`;
    await createUser(h.ctx, a.org.id, { email: shared, password: TEST_PASSWORD, name: 'Sam Shared', role: 'staff', permissions: ['viewer'] });
    const inv = await invite(b.admin, shared, 'staff', ['viewer']);
    const inBSession = await login(h, shared);
    expect((await inBSession.post('/api/v1/invitations/accept', { token: inv.token })).statusCode).toBe(200);
    const inASession = await loginTo(shared, a.org.slug);
    expect((await inASession.get('/api/v1/me')).json()).toMatchObject({ organization: { id: a.org.id } });
    const id = await personId(inASession);

    const rename = await b.admin.patch(`/api/v1/users/${id}`, { name: 'Renamed by B' });
    expect(rename.statusCode).toBe(400);
    const promote = await b.admin.patch(`/api/v1/users/${id}`, { role: 'admin' });
    expect(promote.statusCode).toBe(200);
    const disable = await b.admin.patch(`/api/v1/users/${id}`, { disabled: true });
    expect(disable.statusCode).toBe(200);
    expect(disable.json()).toMatchObject({ disabled: true, name: 'Sam Shared' });

    expect((await inBSession.get('/api/v1/me')).statusCode).toBe(401);
    const stillA = await inASession.get('/api/v1/me');
    expect(stillA.statusCode).toBe(200);
    expect(stillA.json()).toMatchObject({ organization: { id: a.org.id }, role: 'staff', user: { name: 'Sam Shared' } });
    expect((stillA.json() as { organizations: { id: string }[] }).organizations.map((o) => o.id)).toEqual([a.org.id]);
    const inA = (await a.admin.get('/api/v1/users')).json() as { items: { id: string; role: string; disabled: boolean }[] };
    expect(inA.items.find((u) => u.id === id)).toMatchObject({ role: 'staff', disabled: false });
    // B cannot be switched to any more.
    expect((await inASession.post('/api/v1/auth/switch-organization', { organizationId: b.org.id })).statusCode).toBe(404);
  });

  it("a person changes their own name, email and password; other organizations' admins cannot", async () => {
    const email = `${unique('self')}@example.com`;
    await createUser(h.ctx, a.org.id, { email, password: TEST_PASSWORD, role: 'staff', permissions: ['viewer'] });
    const me = await login(h, email);
    const elsewhere = await login(h, email);
    const named = await me.patch('/api/v1/me', { name: 'Selma Self' });
    expect(named.statusCode).toBe(200);
    expect(named.json()).toMatchObject({ user: { name: 'Selma Self' } });
    const noCurrent = await me.patch('/api/v1/me', { newPassword: 'brand-new-password' });
    expect(noCurrent.statusCode).toBe(400);
    expect(noCurrent.json().error.details.fields[0].field).toBe('currentPassword');
    const wrongCurrent = await me.patch('/api/v1/me', { currentPassword: 'not-my-password', newPassword: 'brand-new-password' });
    expect(wrongCurrent.statusCode).toBe(400);
    expect(wrongCurrent.json().error.details.fields[0].field).toBe('currentPassword');
    const changed = await me.patch('/api/v1/me', { currentPassword: TEST_PASSWORD, newPassword: 'brand-new-password' });
    expect(changed.statusCode, changed.body).toBe(200);
    // The other session ended; this one goes on; the new password signs in.
    expect((await elsewhere.get('/api/v1/me')).statusCode).toBe(401);
    expect((await me.get('/api/v1/me')).statusCode).toBe(200);
    await login(h, email, 'brand-new-password');
    const taken = await me.patch('/api/v1/me', { email: b.adminEmail, currentPassword: 'brand-new-password' });
    expect(taken.statusCode).toBe(409);
    const moved = `${unique('moved')}@example.com`;
    expect((await me.patch('/api/v1/me', { email: moved, currentPassword: 'brand-new-password' })).json()).toMatchObject({ user: { email: moved } });
    const key = new Client(h.app, a.api.headers);
    expect((await key.patch('/api/v1/me', { name: 'key' })).statusCode).toBe(403);
  });

  it('signing in opens the organization used last, never one picked by another organization name', async () => {
    const zeta = await createOrganization(h.ctx, { slug: unique('zeta').toLowerCase(), name: 'Zeta Shop', currency: 'USD', timezone: 'UTC' });
    const aardvark = await createOrganization(h.ctx, { slug: unique('aardvark').toLowerCase(), name: 'Aardvark Shop', currency: 'USD', timezone: 'UTC' });
    const email = `${unique('lands')}@example.com`;
    await createUser(h.ctx, zeta.id, { email, password: TEST_PASSWORD, role: 'staff', permissions: ['viewer'] });
    await createUser(h.ctx, aardvark.id, { email, password: TEST_PASSWORD, role: 'admin' });
    const first = await login(h, email);
    expect((await first.get('/api/v1/me')).json()).toMatchObject({ organization: { id: zeta.id } });
    expect((await first.post('/api/v1/auth/switch-organization', { organizationId: aardvark.id })).statusCode).toBe(200);
    const second = await login(h, email);
    expect((await second.get('/api/v1/me')).json()).toMatchObject({ organization: { id: aardvark.id } });
    const third = await loginTo(email, zeta.slug);
    expect((await third.get('/api/v1/me')).json()).toMatchObject({ organization: { id: zeta.id } });
    const fourth = await login(h, email);
    expect((await fourth.get('/api/v1/me')).json()).toMatchObject({ organization: { id: zeta.id } });
  });
});

describe(`sign-in throttling on ${ENGINE}`, () => {
  const wrong = (app: FastifyInstance, email: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'not-the-password' }, remoteAddress, headers });

  /** An address that has already used some of its 30 attempts in this window. */
  async function usedUp(address: string, attempts: number): Promise<void> {
    await h.ctx.db.insertInto('login_failures').values({ key: `ip:${address}`, failures: attempts, window_started_at: h.clock.now() }).execute();
  }
  const nearlyUsedUp = (address: string) => usedUp(address, 29);

  it('40 simultaneous wrong passwords for one email get at most 5 password checks', async () => {
    const email = `${unique('burst')}@example.com`;
    await createUser(h.ctx, a.org.id, { email, password: TEST_PASSWORD, role: 'staff', permissions: ['viewer'] });
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => wrong(h.app, email, `10.20.${Math.floor(i / 8)}.${i % 8}`)));
    const checked = replies.filter((r) => r.statusCode === 401).length;
    const refused = replies.filter((r) => r.statusCode === 429);
    expect(checked).toBe(5);
    expect(refused).toHaveLength(35);
    expect(refused.every((r) => Number(r.headers['retry-after']) > 0)).toBe(true);
    // The right password waits out the window too.
    const right = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: TEST_PASSWORD }, remoteAddress: '10.21.0.1' });
    expect(right.statusCode).toBe(429);
  });

  it('40 simultaneous wrong passwords from one address (different emails) get only the checks left to it', async () => {
    await usedUp('10.30.0.1', 20);
    const replies = await Promise.all(Array.from({ length: 40 }, () => wrong(h.app, `${unique('spray')}@example.com`, '10.30.0.1')));
    expect(replies.filter((r) => r.statusCode === 401)).toHaveLength(10);
    expect(replies.filter((r) => r.statusCode === 429)).toHaveLength(30);
  });

  it('successful sign-ins do not use up the address limit', async () => {
    await nearlyUsedUp('10.31.0.1');
    for (let i = 0; i < 3; i++) {
      const ok = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.adminEmail, password: a.password }, remoteAddress: '10.31.0.1' });
      expect(ok.statusCode).toBe(200);
    }
    expect((await wrong(h.app, `${unique('ok')}@example.com`, '10.31.0.1')).statusCode).toBe(401);
    expect((await wrong(h.app, `${unique('ok')}@example.com`, '10.31.0.1')).statusCode).toBe(429);
  });

  async function appTrusting(value: string): Promise<FastifyInstance> {
    const config = { ...h.ctx.config, trustProxy: loadConfig({ ...envBase, PATRON_TRUST_PROXY: value }).trustProxy };
    return buildApp({ ...h.ctx, config }, { metrics: new Metrics(), serveAdmin: false });
  }
  const envBase = { SESSION_SECRET: 'test-secret-test-secret-test-secret-!!', LOG_LEVEL: 'silent', PATRON_DATA_DIR: '/tmp/patron-test-unused' };

  it('behind one proxy (PATRON_TRUST_PROXY=1), a rotating X-Forwarded-For does not escape the per-address limit', async () => {
    const app = await appTrusting('1');
    try {
      await nearlyUsedUp('203.0.113.7');
      // The client forges a new first entry each time; the proxy (10.0.0.2) appends the address it saw.
      const forged = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` });
      expect((await wrong(app, `${unique('hop')}@example.com`, '10.0.0.2', forged(1))).statusCode).toBe(401);
      expect((await wrong(app, `${unique('hop')}@example.com`, '10.0.0.2', forged(2))).statusCode).toBe(429);
      expect((await wrong(app, `${unique('hop')}@example.com`, '10.0.0.2', forged(3))).statusCode).toBe(429);
      // Another client behind the same proxy is not affected.
      expect((await wrong(app, `${unique('hop')}@example.com`, '10.0.0.2', { 'x-forwarded-for': '203.0.113.99' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('with a list of proxy addresses, only those proxies are believed about the client address', async () => {
    const app = await appTrusting('10.0.0.0/8, 192.0.2.1');
    try {
      await nearlyUsedUp('203.0.113.8');
      // Two trusted proxies in a chain; the client's own entries come first and are ignored.
      const chain = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}, 203.0.113.8, 192.0.2.1` });
      expect((await wrong(app, `${unique('list')}@example.com`, '10.9.0.1', chain(1))).statusCode).toBe(401);
      expect((await wrong(app, `${unique('list')}@example.com`, '10.9.0.1', chain(2))).statusCode).toBe(429);
      // A client reaching Patron directly cannot pose as anyone else with the header.
      await nearlyUsedUp('198.51.100.200');
      const posing = (i: number) => ({ 'x-forwarded-for': `203.0.113.${100 + i}` });
      expect((await wrong(app, `${unique('direct')}@example.com`, '198.51.100.200', posing(1))).statusCode).toBe(401);
      expect((await wrong(app, `${unique('direct')}@example.com`, '198.51.100.200', posing(2))).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('PATRON_TRUST_PROXY takes false, true, a hop count or addresses, and names itself when wrong', () => {
    expect(loadConfig(envBase).trustProxy).toBe(false);
    expect(loadConfig({ ...envBase, PATRON_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(typeof loadConfig({ ...envBase, PATRON_TRUST_PROXY: '2' }).trustProxy).toBe('function');
    expect(loadConfig({ ...envBase, PATRON_TRUST_PROXY: '10.0.0.1, fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.1', 'fd00::/8', 'loopback']);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0.1,,', 'proxy.example.com', '-1']) {
      expect(() => loadConfig({ ...envBase, PATRON_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ ...envBase, PATRON_TRUST_PROXY: bad })).toThrow(/PATRON_TRUST_PROXY/);
    }
  });
});
