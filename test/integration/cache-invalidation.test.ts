import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheStats } from '../../src/db/invalidation.js';
import { withTx } from '../../src/db/tx.js';
import { SESSION_TTL_MS } from '../../src/modules/auth/index.js';
import { updateProgram } from '../../src/modules/program/program.service.js';
import { apiKeyClient, createHarness, createOrgFixture, ENGINE, login, staffClient, TEST_PASSWORD, type Harness } from '../helpers/harness.js';

/**
 * The in-process cache of API keys, sessions, organizations, program settings and tiers
 * (src/db/invalidation.ts): repeated requests are served from it, and every change to a
 * cached thing is seen by the very next request of this process. (Across processes on
 * PostgreSQL: test/integration/cache-processes.test.ts.)
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

/** Waits until the cache is listening (on PostgreSQL its connection opens on first use). */
async function cacheLive(): Promise<void> {
  for (let i = 0; i < 100 && !cacheStats().live; i++) await new Promise((r) => setTimeout(r, 20));
  expect(cacheStats().live).toBe(true);
}

describe(`in-process cache on ${ENGINE}`, () => {
  it('serves repeated authenticated requests from the cache', async () => {
    const f = await createOrgFixture(h);
    await f.api.get('/api/v1/me');
    await cacheLive();
    await f.api.get('/api/v1/me');
    await f.admin.get('/api/v1/me');
    const before = cacheStats();
    for (let i = 0; i < 5; i++) {
      expect((await f.api.get('/api/v1/me')).statusCode).toBe(200);
      expect((await f.admin.get('/api/v1/me')).statusCode).toBe(200);
    }
    const after = cacheStats();
    // Key + organization per API-key request; session + organization + memberships + user per session request.
    expect(after.hits - before.hits).toBe(5 * 2 + 5 * 4);
    expect(after.misses - before.misses).toBe(0);
  });

  it('refuses a revoked API key on the next request', async () => {
    const f = await createOrgFixture(h);
    const k = await apiKeyClient(h, f.org.id, ['customers:read']);
    expect((await k.client.get('/api/v1/me')).statusCode).toBe(200);
    expect((await k.client.get('/api/v1/me')).statusCode).toBe(200);
    const revoked = await f.admin.delete(`/api/v1/api-keys/${k.id}`);
    expect(revoked.statusCode).toBe(200);
    const after = await k.client.get('/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('API_KEY_REVOKED');
  });

  it('refuses a session once signed out, and once it has expired', async () => {
    const f = await createOrgFixture(h);
    const other = await login(h, f.adminEmail);
    expect((await other.get('/api/v1/me')).statusCode).toBe(200);
    expect((await other.post('/api/v1/auth/logout')).statusCode).toBeLessThan(300);
    expect((await other.get('/api/v1/me')).statusCode).toBe(401);

    expect((await f.admin.get('/api/v1/me')).statusCode).toBe(200);
    h.clock.advance(SESSION_TTL_MS - 1000);
    expect((await f.admin.get('/api/v1/me')).statusCode).toBe(200);
    h.clock.advance(2000);
    expect((await f.admin.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('sees a role, permission or membership change on the next request', async () => {
    const f = await createOrgFixture(h);
    const staff = await staffClient(h, f.org.id, ['customers:read']);
    const me = (await staff.get('/api/v1/me')).json();
    expect(me.permissions).toEqual(['customers:read']);
    const userId = me.user.id as string;
    expect((await staff.get('/api/v1/api-keys')).statusCode).toBe(403);

    expect((await f.admin.patch(`/api/v1/users/${userId}`, { permissions: ['customers:read', 'points:adjust'] })).statusCode).toBe(200);
    expect((await staff.get('/api/v1/me')).json().permissions).toEqual(['customers:read', 'points:adjust']);

    expect((await f.admin.patch(`/api/v1/users/${userId}`, { role: 'admin' })).statusCode).toBe(200);
    expect((await staff.get('/api/v1/me')).json().role).toBe('admin');
    expect((await staff.get('/api/v1/api-keys')).statusCode).toBe(200);

    expect((await f.admin.patch(`/api/v1/users/${userId}`, { disabled: true })).statusCode).toBe(200);
    expect((await staff.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('ends other sessions at once when the password changes', async () => {
    const f = await createOrgFixture(h);
    const second = await login(h, f.adminEmail);
    expect((await second.get('/api/v1/me')).statusCode).toBe(200);
    const changed = await f.admin.patch('/api/v1/me', { currentPassword: TEST_PASSWORD, newPassword: 'another-horse-battery-9' });
    expect(changed.statusCode).toBe(200);
    expect((await second.get('/api/v1/me')).statusCode).toBe(401);
    expect((await f.admin.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('shows organization, program and tier changes on the next read', async () => {
    const f = await createOrgFixture(h);
    expect((await f.api.get('/api/v1/me')).json().organization.name).toBe(f.org.name);
    expect((await f.admin.get('/api/v1/me')).json().organizations[0].name).toBe(f.org.name);
    expect((await f.admin.patch('/api/v1/organization', { name: 'Renamed shop' })).statusCode).toBe(200);
    expect((await f.api.get('/api/v1/me')).json().organization.name).toBe('Renamed shop');
    expect((await f.admin.get('/api/v1/me')).json().organizations[0].name).toBe('Renamed shop');
    expect((await f.api.get('/api/v1/organization')).json().name).toBe('Renamed shop');

    expect((await f.api.get('/api/v1/program')).json().earnRate).toBe('1');
    expect((await f.api.get('/api/v1/program')).json().earnRate).toBe('1');
    expect((await f.admin.patch('/api/v1/program', { earnRate: '2.5' })).statusCode).toBe(200);
    expect((await f.api.get('/api/v1/program')).json().earnRate).toBe('2.5');

    expect((await f.api.get('/api/v1/tiers')).json().items).toHaveLength(0);
    expect((await f.api.get('/api/v1/tiers')).json().items).toHaveLength(0);
    const tier = await f.admin.post('/api/v1/tiers', { name: 'Silver', threshold: 100 });
    expect(tier.statusCode).toBe(201);
    expect((await f.api.get('/api/v1/tiers')).json().items.map((t: { name: string }) => t.name)).toEqual(['Silver']);
    expect((await f.admin.patch(`/api/v1/tiers/${tier.json().id}`, { name: 'Gold' })).statusCode).toBe(200);
    expect((await f.api.get('/api/v1/tiers')).json().items.map((t: { name: string }) => t.name)).toEqual(['Gold']);
  });

  it('keeps nothing a rolled-back change wrote, and reads its own writes inside the transaction', async () => {
    const f = await createOrgFixture(h);
    expect((await f.api.get('/api/v1/program')).json().earnRate).toBe('1');
    await expect(
      withTx(h.ctx.db, async (tx) => {
        const inside = await updateProgram({ ...h.ctx, db: tx as unknown as typeof h.ctx.db }, f.org.id, { earnRate: '7' });
        expect(inside.earnRate).toBe('7');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await f.api.get('/api/v1/program')).json().earnRate).toBe('1');
    expect((await f.api.get('/api/v1/program')).json().earnRate).toBe('1');
  });
});
