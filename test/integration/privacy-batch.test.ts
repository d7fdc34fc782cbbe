import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/context.js';
import { anonymizeCustomer, anonymizeCustomers } from '../../src/modules/privacy/index.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { adjust, createCustomer, order } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

// A batch erasure (shop/redact) must leave exactly what erasing the same customers one by one
// leaves. Two organizations get the same customers and history; one erases them one by one,
// the other in one batch; every text and JSON value of every tenant table is then compared.
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  const report = await verifyLedger(h.ctx.db, null);
  expect(report.mismatches).toEqual([]);
  await h.close();
});

const PEOPLE = {
  ada: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@analytical.test', phone: '+442079460958' },
  zelda: { firstName: 'Zelda', lastName: 'Fitzgerald', email: 'zelda@jazz.test', phone: '+14155550123' },
  bob: { firstName: 'Bob', lastName: 'Stone', email: 'bob.stone@quarry.test' },
  carol: { firstName: 'Carol', lastName: 'Keep', email: 'carol@keep.test' },
  nameless: { email: 'only.email@x.test' },
} as const;
type Who = keyof typeof PEOPLE;

/** The same customers and history in one organization; returns the customer ids by name. */
async function populate(o: OrgFixture): Promise<Record<Who, string>> {
  const ids = {} as Record<Who, string>;
  let n = 0;
  const key = () => `batch-${++n}`;
  for (const who of Object.keys(PEOPLE) as Who[]) {
    const res = await o.api.post('/api/v1/customers', { externalId: `ext-${who}`, accountState: 'registered', ...PEOPLE[who] }, { 'idempotency-key': key() });
    expect(res.statusCode, res.body).toBe(201);
    ids[who] = (res.json() as { id: string }).id;
  }
  // Earlier values: Ada changed her email and Bob his last name.
  expect((await o.api.patch(`/api/v1/customers/${ids.ada}`, { email: 'ada.king@analytical.test' }, { 'idempotency-key': key() })).statusCode).toBe(200);
  expect((await o.api.patch(`/api/v1/customers/${ids.bob}`, { lastName: 'Quarry' })).statusCode).toBe(200);
  // Mentions across customers: ledger reasons, notes, orders.
  expect((await adjust(o.api, ids.ada, 'add', 100, { reason: 'Welcome Ada Lovelace', customerMessage: 'Hello Ada' })).statusCode).toBe(201);
  expect((await adjust(o.api, ids.zelda, 'add', 50, { reason: 'Referred by ada.king@analytical.test and Bob Stone' })).statusCode).toBe(201);
  expect((await adjust(o.api, ids.bob, 'add', 30, { reason: 'Zelda Fitzgerald said Bob helped; call +14155550123' })).statusCode).toBe(201);
  expect((await adjust(o.api, ids.carol, 'add', 10, { reason: 'Carol met Ada and Zelda' })).statusCode).toBe(201);
  for (const [who, text] of [
    ['carol', 'Friend of ada@analytical.test and Zelda Fitzgerald; Bob Quarry too'],
    ['ada', 'Prefers email; sister of Zelda'],
    ['bob', 'Call Bob at the quarry'],
  ] as const) {
    expect((await o.admin.put(`/api/v1/customers/${ids[who]}/note`, { text })).statusCode).toBe(200);
  }
  expect((await order(o.api, ids.ada, '42.00', { externalId: 'order-ada', number: '#Ada-1' })).statusCode).toBe(201);
  expect((await order(o.api, ids.bob, '13.50', { externalId: 'order-bob' })).statusCode).toBe(201);
  expect((await createCustomer(o.api, { externalId: 'ext-other', firstName: 'Other', lastName: 'Person', email: 'other@x.test' })).id).toBeTruthy();
  return ids;
}

/** Every text and JSON value of the organization's tenant tables, ids and secrets replaced by names, sorted. */
async function snapshot(o: OrgFixture, ids: Record<Who, string>): Promise<string[]> {
  const cols = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
      and exists (select 1 from information_schema.columns x where x.table_schema = c.table_schema and x.table_name = c.table_name and x.column_name = 'org_id')
      and c.column_name <> 'org_id'
    order by 1, 2`.execute(h.ctx.db);
  // Random by design (secrets, their hashes, referral codes): they differ between the two organizations.
  const random = /(hash|secret|token|code_key|^code$|^key_hint$|publishable_key)/;
  const out: string[] = [];
  for (const c of cols.rows) {
    if (c.table_name === 'api_keys' || c.table_name === 'org_members' || random.test(c.column_name)) continue;
    const rows = await sql<{ v: string | null }>`select ${sql.ref(c.column_name)}::text as v from ${sql.table(c.table_name)} where org_id = ${o.org.id}`.execute(h.ctx.db);
    for (const { v } of rows.rows) {
      let text = v ?? 'NULL';
      for (const who of Object.keys(ids) as Who[]) text = text.split(ids[who]).join(`<${who}>`);
      text = text.split(o.org.id).join('<org>').split(o.org.slug).join('<slug>');
      text = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
      out.push(`${c.table_name}.${c.column_name}: ${text}`);
    }
  }
  return out.sort();
}

describe(`batch erasure on ${ENGINE}`, () => {
  it('erasing customers in one batch leaves exactly what erasing them one by one leaves', async () => {
    const one = await createOrgFixture(h);
    const batch = await createOrgFixture(h);
    const idsOne = await populate(one);
    const idsBatch = await populate(batch);
    const differing = (x: string[], y: string[]) => [...x.filter((l) => !y.includes(l)).map((l) => `- ${l}`), ...y.filter((l) => !x.includes(l)).map((l) => `+ ${l}`)];
    expect(differing(await snapshot(one, idsOne), await snapshot(batch, idsBatch))).toEqual([]);

    const order: Who[] = ['zelda', 'ada', 'nameless', 'bob'];
    for (const who of order) {
      const email = who === 'ada' ? 'ada.king@analytical.test' : PEOPLE[who].email;
      await anonymizeCustomer(h.ctx, one.org.id, idsOne[who], email, SYSTEM_ACTOR);
    }
    const outcomes = await anonymizeCustomers(
      h.ctx,
      batch.org.id,
      order.map((who) => ({ customerId: idsBatch[who], confirmEmail: who === 'ada' ? 'ada.king@analytical.test' : PEOPLE[who].email })),
      SYSTEM_ACTOR,
    );
    expect(outcomes).toEqual(order.map((who) => ({ customerId: idsBatch[who], status: 'anonymized' })));

    const after = await snapshot(batch, idsBatch);
    expect(differing(await snapshot(one, idsOne), after)).toEqual([]);
    expect(after).toEqual(await snapshot(one, idsOne));
    // Not vacuous: the erasure rewrote values, and the bystander's own identity stayed.
    const all = after.join('\n');
    expect(all).toContain('[anonymized]');
    for (const gone of ['Lovelace', 'ada@analytical.test', 'ada.king@analytical.test', 'zelda@jazz.test', '+14155550123', 'bob.stone@quarry.test', 'only.email@x.test']) {
      expect(all, gone).not.toContain(gone);
    }
    for (const field of ['last_name: Fitzgerald', 'last_name: Quarry', 'first_name: Ada']) expect(all).not.toContain(`customers.${field}`);
    // A name alone in a row about someone else stays (the rule of the erasure, one by one or not).
    expect(all).toContain('Zelda Fitzgerald; Bob Quarry too');
    expect(all).toContain('carol@keep.test');
    expect(all).toContain('customers.first_name: Carol');
  });

  it('skips customers already anonymized or unknown, and refuses a wrong confirmation changing nothing', async () => {
    const o = await createOrgFixture(h);
    const ids = await populate(o);
    await anonymizeCustomer(h.ctx, o.org.id, ids.bob, PEOPLE.bob.email, SYSTEM_ACTOR);
    const before = await snapshot(o, ids);
    await expect(
      anonymizeCustomers(
        h.ctx,
        o.org.id,
        [
          { customerId: ids.zelda, confirmEmail: PEOPLE.zelda.email },
          { customerId: ids.carol, confirmEmail: 'not-carol@keep.test' },
        ],
        SYSTEM_ACTOR,
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [expect.objectContaining({ field: 'customers[1].confirmEmail' })] } });
    expect(await snapshot(o, ids)).toEqual(before);
    await expect(
      anonymizeCustomers(h.ctx, o.org.id, [{ customerId: ids.zelda, confirmEmail: PEOPLE.zelda.email }, { customerId: ids.zelda, confirmEmail: PEOPLE.zelda.email }], SYSTEM_ACTOR),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });

    const missing = '0190a0a0-0000-7000-8000-000000000000';
    const outcomes = await anonymizeCustomers(
      h.ctx,
      o.org.id,
      [
        { customerId: ids.bob, confirmEmail: 'anything' },
        { customerId: missing, confirmEmail: 'x@y.test' },
        { customerId: ids.zelda, confirmEmail: PEOPLE.zelda.email },
      ],
      SYSTEM_ACTOR,
    );
    expect(outcomes).toEqual([
      { customerId: ids.bob, status: 'already_anonymized', anonymizedAt: expect.any(Date) },
      { customerId: missing, status: 'not_found' },
      { customerId: ids.zelda, status: 'anonymized' },
    ]);
    const all = (await snapshot(o, ids)).join('\n');
    expect(all).not.toContain('customers.last_name: Fitzgerald');
    expect(all).not.toContain('zelda@jazz.test');
    expect(all).toContain('customers.first_name: Carol');
  });
});
