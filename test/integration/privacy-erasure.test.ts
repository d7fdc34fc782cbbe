import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';
import { balances, createCustomer } from '../helpers/factories.js';
import { createReward } from '../helpers/rewards-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  const report = await verifyLedger(h.ctx.db, null);
  expect(report.mismatches).toEqual([]);
  await h.close();
});

/**
 * Every text, varchar, char, json, jsonb and array column of every table (read from the
 * catalogue, not a list), searched case-insensitively for each value.
 */
async function whereFound(needles: string[]): Promise<string[]> {
  const cols = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`.execute(h.ctx.db);
  expect(cols.rows.length).toBeGreaterThan(50);
  // Each value as typed and as it appears inside JSON text (quotes, newlines escaped).
  const forms = needles.flatMap((n) => [...new Set([n, JSON.stringify(n).slice(1, -1)])].map((f) => ({ n, f: f.toLowerCase() })));
  const found: string[] = [];
  for (const c of cols.rows) {
    const hits = await sql<{ i: number }>`select i::int from unnest(${forms.map((x) => x.f)}::text[]) with ordinality as needle(f, i)
      where exists (select 1 from ${sql.table(c.table_name)} where position(needle.f in lower(${sql.ref(c.column_name)}::text)) > 0)`.execute(h.ctx.db);
    for (const { i } of hits.rows) found.push(`${c.table_name}.${c.column_name} has "${forms[i - 1]!.n}"`);
  }
  return [...new Set(found)];
}

const containing = (text: string, needles: string[]) => needles.filter((n) => text.toLowerCase().includes(n.toLowerCase()) || text.includes(JSON.stringify(n).slice(1, -1)));

/** A mutation sent with an Idempotency-Key, kept so it can be sent again after the erasure. */
interface Sent {
  client: Client;
  method: 'POST' | 'PUT' | 'PATCH';
  url: string;
  body: unknown;
  key: string;
  status: number;
}

function recorder(tag: string) {
  const sent: Sent[] = [];
  let n = 0;
  return {
    sent,
    async send(client: Client, method: Sent['method'], url: string, body: unknown) {
      n += 1;
      const key = `erasure-${tag}-${n}`;
      const res = await client.request(method, url, body, { 'idempotency-key': key });
      sent.push({ client, method, url, body, key, status: res.statusCode });
      return res;
    },
  };
}

function upload(c: Client, kind: string, csv: string) {
  const boundary = '----patron-erasure-boundary';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n${kind}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\nfalse\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
  return c.request('POST', '/api/v1/imports', Buffer.from(body, 'utf8'), { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

describe(`GDPR erasure of everything a customer ever was, on ${ENGINE}`, () => {
  it('removes every earlier email, phone, name and note from every table, the export, the timeline and every stored reply', async () => {
    const tag = randomBytes(4).toString('hex');
    const num = parseInt(tag, 16);
    const v = {
      first1: `Zelda${tag}`,
      last1: `Quartermaine${tag}`,
      email1: `Zelda.Q.${tag}@Example.com`,
      phone1: `+1 555 01${num % 100000}`,
      first2: `Zora${tag}`,
      last2: `Brightwater${tag}`,
      email2: `zora.b.${tag}@mail.example.org`,
      phone2: `+44 20 7946 ${num % 10000}`,
      email3: `zb.import.${tag}@example.net`,
      phone3: `+33 1 23 45 ${num % 1000}`,
      first4: `Ximena${tag}`,
      last4: `O'Hurst${tag}`,
      email4: `x.ohurst+${tag}@example.io`,
      phone4: `+49 30 1234 ${num % 9000}`,
      note1: `Zelda${tag} called from the shop about a lost parcel`,
      note2: `Prefers deliveries to the blue door, flat ${tag}; "ring twice"\nasks for paper receipts`,
      note3: `Allergic to peanuts (${tag}) — gift baskets without nuts`,
    };
    const needles = Object.values(v);
    const externalId = `shop-${tag}`;
    const r = recorder(tag);
    const other = await createCustomer(a.api, { firstName: 'Olga', lastName: `Other${tag}` });
    const reward = await createReward(a.api, { pointsCost: 100 });

    // Everything the customer ever was, through every way a profile changes.
    const created = await r.send(a.api, 'POST', '/api/v1/customers', {
      externalId,
      email: v.email1,
      firstName: v.first1,
      lastName: v.last1,
      phone: v.phone1,
      birthday: '1990-04-01',
      accountState: 'registered',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const base = `/api/v1/customers/${id}`;
    expect((await r.send(a.admin, 'PUT', `${base}/note`, { text: v.note1 })).statusCode).toBe(200);
    const adj1 = await r.send(a.admin, 'POST', `${base}/points/adjustments`, {
      direction: 'add',
      points: 400,
      reason: `Goodwill for ${v.first1} ${v.last1}`,
      customerMessage: `Sorry ${v.first1}, we wrote to ${v.email1}`,
    });
    expect(adj1.statusCode, adj1.body).toBe(201);
    const edited = await r.send(a.admin, 'PATCH', base, { email: v.email2, firstName: v.first2, lastName: v.last2, phone: v.phone2 });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await r.send(a.admin, 'PUT', `${base}/note`, { text: v.note2 })).statusCode).toBe(200);
    expect((await r.send(a.admin, 'POST', `${base}/points/adjustments`, { direction: 'deduct', points: 10, reason: `Called ${v.phone2}`, customerMessage: `Thanks ${v.first2} ${v.last2}` })).statusCode).toBe(201);
    expect((await r.send(a.api, 'POST', `${base}/redemptions`, { rewardId: reward.id })).statusCode).toBe(201);
    const placed = await r.send(a.api, 'POST', '/api/v1/orders', { externalId: `order-${tag}`, customerId: id, total: { amount: '42.00', currency: 'USD' } });
    expect(placed.statusCode, placed.body).toBe(201);
    const refunded = await r.send(a.api, 'POST', `/api/v1/orders/${placed.json().id}/refunds`, { amount: { amount: '2.00', currency: 'USD' }, reason: `${v.first2} returned a mug` });
    expect(refunded.statusCode, refunded.body).toBe(201);
    // A platform CSV import changes the email and phone (the file itself is kept).
    const imported = await upload(a.admin, 'customers', `externalId,email,phone\n${externalId},${v.email3},${v.phone3}\n`);
    expect(imported.statusCode, imported.body).toBe(202);
    await h.worker.drain();
    expect((await a.api.get(base)).json().email).toBe(v.email3);
    // The platform sync renames them; another customer's note mentions an earlier email.
    expect((await r.send(a.api, 'POST', '/api/v1/customers', { externalId, email: v.email4, firstName: v.first4, lastName: v.last4, phone: v.phone4 })).statusCode).toBe(200);
    expect((await r.send(a.admin, 'PUT', `${base}/note`, { text: v.note3 })).statusCode).toBe(200);
    expect((await r.send(a.admin, 'PUT', `/api/v1/customers/${other.id}/note`, { text: `Referred by ${v.email1}, friend of ${v.first2} ${v.last2}` })).statusCode).toBe(200);

    const everything = await whereFound(needles);
    for (const n of [v.email1, v.phone1, v.first1, v.email2, v.phone2, v.last2, v.email3, v.note1, v.note2]) {
      expect(everything.some((f) => f.endsWith(`"${n}"`)), `${n} is stored before the erasure`).toBe(true);
    }
    // The data export lists what the profile used to be.
    const previous = (await a.admin.get(`${base}/export.json`)).json().previousValues as { field: string; value: string }[];
    expect(previous.map((p) => `${p.field}=${p.value}`).sort()).toEqual(
      [
        `email=${v.email1}`,
        `email=${v.email2}`,
        `email=${v.email3}`,
        `phone=${v.phone1}`,
        `phone=${v.phone2}`,
        `phone=${v.phone3}`,
        `firstName=${v.first1}`,
        `firstName=${v.first2}`,
        `lastName=${v.last1}`,
        `lastName=${v.last2}`,
      ].sort(),
    );
    const before = await balances(a.api, id);
    const entriesBefore = (await a.api.get(`${base}/points/entries`)).json().items.map((e: { points: number }) => e.points);
    const customersBefore = await h.ctx.db.selectFrom('customers').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', a.org.id).executeTakeFirstOrThrow();

    const res = await r.send(a.admin, 'POST', `${base}/anonymize`, { confirmEmail: v.email4 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Anonymous', phone: null, birthday: null, note: null, balances: before });

    // No table holds any of them any more.
    expect(await whereFound(needles)).toEqual([]);

    // Not the data export, not the timeline.
    const exported = await a.admin.get(`${base}/export.json`);
    expect(exported.statusCode).toBe(200);
    expect(containing(exported.body, needles)).toEqual([]);
    expect(exported.json().previousValues).toEqual([]);
    expect(exported.json().timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['note.updated', 'customer.updated', 'customer.anonymized']));
    const timeline = await a.api.get(`${base}/activity?limit=100`);
    expect(containing(timeline.body, needles)).toEqual([]);
    expect(containing((await a.api.get(`/api/v1/customers/${other.id}/activity?limit=100`)).body, needles)).toEqual([]);

    // Not a stored Idempotency-Key reply: every retry answers without them, and applies nothing twice.
    for (const s of r.sent) {
      const again = await s.client.request(s.method, s.url, s.body, { 'idempotency-key': s.key });
      expect(containing(again.body, needles), `${s.method} ${s.url} replay`).toEqual([]);
      expect(again.statusCode, `${s.method} ${s.url}: ${again.body}`).toBeLessThan(500);
      if (again.statusCode >= 400) expect(again.json().error.code).toBe('CUSTOMER_ANONYMIZED');
    }
    expect(await balances(a.api, id)).toEqual(before);
    const customersAfter = await h.ctx.db.selectFrom('customers').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(customersAfter.n).toBe(customersBefore.n);
    expect(await whereFound(needles)).toEqual([]);

    // The ledger keeps its amounts; the other customer keeps their own note (minus the erased person).
    expect((await a.api.get(`${base}/points/entries`)).json().items.map((e: { points: number }) => e.points)).toEqual(entriesBefore);
    expect((await a.api.get(`/api/v1/customers/${other.id}`)).json().note.text).toMatch(/^Referred by \[anonymized\], friend of \[anonymized\]/);
  });

  it('a customer created without a platform id is not created again by a retry of the first request', async () => {
    const tag = randomBytes(4).toString('hex');
    const body = { email: `solo.${tag}@example.com`, firstName: `Solo${tag}`, lastName: `Person${tag}`, phone: `+1 212 555 ${parseInt(tag, 16) % 10000}` };
    const key = `create-solo-${tag}`;
    const created = await a.api.post('/api/v1/customers', body, { 'idempotency-key': key });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await a.admin.post(`/api/v1/customers/${id}/anonymize`, { confirmEmail: body.email })).statusCode).toBe(200);
    const again = await a.api.post('/api/v1/customers', body, { 'idempotency-key': key });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error.code).toBe('CUSTOMER_ANONYMIZED');
    expect(containing(again.body, Object.values(body))).toEqual([]);
    expect(await whereFound(Object.values(body))).toEqual([]);
  });

  it('anonymizing twice: the second answers 409 CUSTOMER_ANONYMIZED and changes nothing', async () => {
    const c = await createCustomer(a.api, { firstName: `Twice${randomBytes(3).toString('hex')}` });
    const [one, two] = await Promise.all([
      a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: c.email }),
      a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: c.email }),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 409]);
    const refused = one.statusCode === 409 ? one : two;
    expect(refused.json().error.code).toBe('CUSTOMER_ANONYMIZED');
    const after = (await a.api.get(`/api/v1/customers/${c.id}`)).json();
    const third = await a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: after.email });
    expect(third.statusCode).toBe(409);
    expect(third.json().error.message).toContain('already anonymized');
    expect((await a.api.get(`/api/v1/customers/${c.id}`)).json()).toEqual(after);
    const events = await h.ctx.db.selectFrom('activity_events').select('type').where('org_id', '=', a.org.id).where('customer_id', '=', c.id).where('type', '=', 'customer.anonymized').execute();
    expect(events).toHaveLength(1);
  });

  it('anonymizing while adjustments, notes and edits arrive: each write lands before (and is erased) or is refused', async () => {
    const outcomes = new Set<number>();
    for (let round = 0; round < 3; round++) {
      const tag = randomBytes(4).toString('hex');
      const v = {
        first: `Race${tag}`,
        last: `Condition${tag}`,
        email: `race.${tag}@example.com`,
        newFirst: `Renamed${tag}`,
        newEmail: `renamed.${tag}@example.com`,
        note: `Spoke to Race${tag} about the ${tag} order`,
        note2: `Second thoughts ${tag}`,
      };
      const c = await createCustomer(a.api, { email: v.email, firstName: v.first, lastName: v.last });
      const base = `/api/v1/customers/${c.id}`;
      await a.api.post(`${base}/points/adjustments`, { direction: 'add', points: 100, reason: 'start' });
      const r = recorder(tag);
      const writes = [
        () => r.send(a.api, 'POST', `${base}/points/adjustments`, { direction: 'add', points: 7, reason: `For ${v.first} ${v.last}`, customerMessage: `Hi ${v.first}` }),
        () => r.send(a.admin, 'PUT', `${base}/note`, { text: v.note }),
        () => r.send(a.admin, 'PATCH', base, { firstName: v.newFirst, email: v.newEmail }),
        () => r.send(a.api, 'POST', `${base}/points/adjustments`, { direction: 'deduct', points: 3, reason: `Fix for ${v.email}` }),
        () => r.send(a.admin, 'PUT', `${base}/note`, { text: v.note2 }),
        () => r.send(a.api, 'POST', '/api/v1/customers', { externalId: c.externalId, lastName: `${v.last}-x` }),
      ];
      // The erasure is confirmed with whichever email is current when it runs: send both.
      const anonymize = async () => {
        const first = await a.admin.post(`${base}/anonymize`, { confirmEmail: v.email });
        return first.statusCode === 400 ? a.admin.post(`${base}/anonymize`, { confirmEmail: v.newEmail }) : first;
      };
      // The first round+1 writes start first; once one has landed, the erasure starts while
      // the others are still running, together with the remaining writes.
      const early = writes.slice(0, round + 1).map((f) => f());
      await Promise.race(early);
      const [anon, ...late] = await Promise.all([anonymize(), ...writes.slice(round + 1).map((f) => f())]);
      expect(anon!.statusCode, anon!.body).toBe(200);
      const results = [...(await Promise.all(early)), ...late];
      for (const res of results) {
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().error.code).toBe('CUSTOMER_ANONYMIZED');
        outcomes.add(res.statusCode < 300 ? 200 : res.statusCode);
      }
      // And after it, a write is refused.
      const after = await r.send(a.api, 'POST', `${base}/points/adjustments`, { direction: 'add', points: 1, reason: `After ${v.first}` });
      expect(after.statusCode).toBe(409);
      expect(after.json().error.code).toBe('CUSTOMER_ANONYMIZED');
      const needles = [...Object.values(v), `${v.last}-x`];
      expect(await whereFound(needles)).toEqual([]);
      for (const s of r.sent) {
        const again = await s.client.request(s.method, s.url, s.body, { 'idempotency-key': s.key });
        expect(containing(again.body, needles), `${s.method} ${s.url} replay`).toEqual([]);
      }
      const entries = (await a.api.get(`${base}/points/entries`)).json().items as { points: number }[];
      const b = await balances(a.api, c.id);
      expect(b.active).toBe(entries.reduce((sum, e) => sum + e.points, 0));
      expect(await whereFound(needles)).toEqual([]);
    }
    // At least one write landed before each erasure (and was erased with the rest).
    expect(outcomes.has(200)).toBe(true);
  });
});
