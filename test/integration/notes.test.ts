import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyClient, createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { createCustomer } from '../helpers/factories.js';
import { timelineRows } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

describe(`notes on ${ENGINE}`, () => {
  it('saves up to 2,000 characters with author and time, refuses longer, clears on empty text', async () => {
    const c = await createCustomer(a.api);
    const text = 'VIP treatment needed. '.padEnd(2000, 'x');
    const saved = await a.admin.put(`/api/v1/customers/${c.id}/note`, { text });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().note).toEqual({ text, updatedAt: h.clock.now().toISOString(), updatedBy: a.adminEmail });
    const tooLong = await a.admin.put(`/api/v1/customers/${c.id}/note`, { text: `${text}y` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details.fields[0].field).toBe('text');
    expect(tooLong.json().error.message).toContain('2,000');
    expect((await a.api.put(`/api/v1/customers/${c.id}/note`, {})).statusCode).toBe(400);
    const profile = (await a.api.get(`/api/v1/customers/${c.id}`)).json();
    expect(profile.note.text).toBe(text);

    h.clock.advance(60_000);
    const edited = await a.api.put(`/api/v1/customers/${c.id}/note`, { text: 'Prefers email' });
    expect(edited.json().note).toMatchObject({ text: 'Prefers email', updatedBy: 'API key fixture', updatedAt: h.clock.now().toISOString() });
    const cleared = await a.api.put(`/api/v1/customers/${c.id}/note`, { text: '  ' });
    expect(cleared.json().note).toBeNull();
    expect((await a.api.get(`/api/v1/customers/${c.id}`)).json().note).toBeNull();
    const events = (await timelineRows(h, a.org.id, c.id)).filter((e) => e.type.startsWith('note.'));
    expect(events.map((e) => [e.type, e.actor_type, e.summary])).toEqual([
      ['note.updated', 'user', 'Note added (2,000 characters)'],
      ['note.updated', 'api_key', 'Note updated (13 characters)'],
      ['note.cleared', 'api_key', 'Note cleared'],
    ]);
  });

  it('needs customers:write and hides other organizations', async () => {
    const c = await createCustomer(a.api);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const denied = await viewer.put(`/api/v1/customers/${c.id}/note`, { text: 'hi' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('customers:write');
    const b = await createOrgFixture(h);
    expect((await b.api.put(`/api/v1/customers/${c.id}/note`, { text: 'hi' })).statusCode).toBe(404);
    expect((await a.api.get(`/api/v1/customers/${c.id}`)).json().note).toBeNull();
  });
});

describe(`notification preferences on ${ENGINE}`, () => {
  it('are changed by the customer through the store API key and only read by staff', async () => {
    const c = await createCustomer(a.api);
    const defaults = { balance: true, location: true, marketing: false, tier: true, rewardAvailable: true };
    expect((await a.admin.get(`/api/v1/customers/${c.id}/notification-preferences`)).json()).toEqual(defaults);
    const staff = await a.admin.put(`/api/v1/customers/${c.id}/notification-preferences`, { marketing: true });
    expect(staff.statusCode).toBe(403);
    expect(staff.json().error.message).toContain('staff can see them');
    const store = await apiKeyClient(h, a.org.id, ['customers:read', 'customers:write']);
    const res = await store.client.put(`/api/v1/customers/${c.id}/notification-preferences`, { marketing: true, location: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ...defaults, marketing: true, location: false });
    expect((await a.admin.get(`/api/v1/customers/${c.id}`)).json().notificationPreferences).toEqual({ ...defaults, marketing: true, location: false });
    const event = (await timelineRows(h, a.org.id, c.id)).find((e) => e.type === 'preferences.updated')!;
    expect(event).toMatchObject({ actor_type: 'customer', actor_id: store.id, summary: 'Notification preferences: location off, marketing on' });
    expect(event.actor_name).toMatch(/^Customer \(via API key key-/);
    expect((await store.client.put(`/api/v1/customers/${c.id}/notification-preferences`, {})).statusCode).toBe(400);
    expect((await store.client.put(`/api/v1/customers/${c.id}/notification-preferences`, { tier: 'no' })).json().error.message).toContain('tier');
    const readOnly = await apiKeyClient(h, a.org.id, ['customers:read']);
    expect((await readOnly.client.put(`/api/v1/customers/${c.id}/notification-preferences`, { tier: false })).statusCode).toBe(403);
    const b = await createOrgFixture(h);
    expect((await b.api.put(`/api/v1/customers/${c.id}/notification-preferences`, { tier: false })).statusCode).toBe(404);
  });
});
