import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgFixture, ENGINE, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe(`session check on ${ENGINE}`, () => {
  it('answers 200 whether signed in or not, and /me still answers 401 when signed out', async () => {
    const f = await createOrgFixture(h);
    const out = await h.app.inject({ method: 'GET', url: '/api/v1/session' });
    expect(out.statusCode).toBe(200);
    expect(out.json()).toEqual({ signedIn: false, me: null });
    const stale = await h.app.inject({ method: 'GET', url: '/api/v1/session', cookies: { patron_session: 'expired-or-forged' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toEqual({ signedIn: false, me: null });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);

    const signedIn = await f.admin.get('/api/v1/session');
    expect(signedIn.statusCode).toBe(200);
    const me = (await f.admin.get('/api/v1/me')).json();
    expect(signedIn.json()).toEqual({ signedIn: true, me });
  });
});
