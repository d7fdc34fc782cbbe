import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { balances, createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';
import { insertTier } from '../helpers/grid-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  expect((await verifyLedger(h.ctx.db, null)).mismatches).toEqual([]);
  await h.close();
});

function upload(c: Client, fields: Record<string, string>, csv: string | null, fileName = 'data.csv') {
  const boundary = '----patron-test-boundary';
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  if (csv !== null) body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`;
  body += `--${boundary}--\r\n`;
  return c.request('POST', '/api/v1/imports', Buffer.from(body, 'utf8'), { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

async function run(c: Client, kind: string, csv: string) {
  const res = await upload(c, { kind, dryRun: 'false' }, csv);
  expect(res.statusCode, res.body).toBe(202);
  expect(res.json()).toMatchObject({ kind, status: 'queued' });
  await h.worker.drain();
  const done = (await c.get(`/api/v1/imports/${res.json().id}`)).json();
  expect(done.status).toBe('done');
  return done;
}

describe(`CSV import on ${ENGINE}`, () => {
  it('dry-runs a customers file: every row validated, a per-row report, nothing applied', async () => {
    const csv = [
      'External ID,Email,First Name,last_name,Phone,Birthday,Favourite colour',
      'imp-1,ann@example.com,Ann,Lee,+1 555 0101,1990-02-03,red',
      'imp-2,not-an-email,Bob,,,,blue',
      ',cee@example.com,Cee,,,1990-13-01,',
      'imp-4,dee@example.com,Dee,"Quote, Jr.",,,',
    ].join('\r\n');
    const res = await upload(a.api, { kind: 'customers', dryRun: 'true' }, csv);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ dryRun: true, kind: 'customers', rowsTotal: 4, rowsValid: 2, ignoredColumns: ['Favourite colour'] });
    expect(report.errors).toEqual(
      expect.arrayContaining([
        { row: 3, column: 'email', problem: 'must be an email address' },
        { row: 4, column: 'externalId', problem: expect.stringContaining('is empty') },
        { row: 4, column: 'birthday', problem: 'must be a date YYYY-MM-DD' },
      ]),
    );
    expect((await a.api.get('/api/v1/customers?search=imp')).json().total.value).toBe(0);
    const count = await h.ctx.db.selectFrom('customers').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('counts rows with errors, not errors: one row with two bad cells is one row', async () => {
    const ann = await createCustomer(a.api, { externalId: 'rows-ann' });
    const ben = await createCustomer(a.api, { externalId: 'rows-ben' });
    const csv = `externalId,birthday,anniversary\n${ann.externalId},1990-02-03,\n${ben.externalId},1991-04-05,\nrows-ann,1990-13-01,not-a-date\n`;
    const dry = (await upload(a.api, { kind: 'birthdays', dryRun: 'true' }, csv)).json();
    expect(dry).toMatchObject({ rowsTotal: 3, rowsValid: 2, rowsWithErrors: 1, errorCount: 2 });
    const done = await run(a.api, 'birthdays', csv);
    expect(done).toMatchObject({ rowsTotal: 3, rowsDone: 3, rowsApplied: 2, rowsUnchanged: 0, rowsWithErrors: 1, errorCount: 2 });
    expect(done.rowsApplied + done.rowsUnchanged + done.rowsWithErrors).toBe(done.rowsDone);
    expect(done.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(['4:birthday', '4:anniversary']);
    const job = (await a.api.get(`/api/v1/jobs/${done.jobId}`)).json();
    expect(job.progress).toMatchObject({ done: 3, total: 3, rowsWithErrors: 1, errors: 2 });
  });

  it('imports customers as a job with progress, upserting by externalId, and a re-run changes nothing', async () => {
    const csv = 'externalId,email,firstName,lastName,accountState\nimp-10,ten@example.com,Ten,Person,registered\nimp-11,eleven@example.com,Eleven,Person,guest\nimp-12,bad,Twelve,Person,\n';
    const first = await run(a.api, 'customers', csv);
    expect(first).toMatchObject({ rowsTotal: 3, rowsDone: 3, rowsApplied: 2, rowsUnchanged: 0, rowsWithErrors: 1, errorCount: 1, errors: [{ row: 4, column: 'email' }] });
    const job = (await a.api.get(`/api/v1/jobs/${first.jobId}`)).json();
    expect(job.progress).toMatchObject({ done: 3, total: 3 });
    const again = await run(a.api, 'customers', csv);
    expect(again).toMatchObject({ rowsApplied: 0, rowsUnchanged: 2, errorCount: 1 });
    const changed = await run(a.api, 'customers', 'externalId,firstName\nimp-10,Tenth\n');
    expect(changed.rowsApplied).toBe(1);
    const grid = (await a.api.get('/api/v1/customers?search=person&sort=name')).json();
    expect(grid.items.map((i: { name: string }) => i.name)).toEqual(['Eleven Person', 'Tenth Person']);
  });

  it('imports points through the ledger once per file row, refusing deductions below zero', async () => {
    const c1 = await createCustomer(a.api, { externalId: 'pts-1' });
    const c2 = await createCustomer(a.api, { externalId: 'pts-2' });
    const csv = `externalId,customerId,points,reason,customerMessage\npts-1,,100,Migration from old program,Welcome!\n,${c2.id},+40,Migration,\npts-2,,-500,Correction,\npts-1,,-30,Correction,\nnobody,,5,Gift,\npts-1,,1.5,Bad,\n`;
    const dry = (await upload(a.api, { kind: 'points', dryRun: 'true' }, csv)).json();
    expect(dry).toMatchObject({ rowsTotal: 6, rowsValid: 4 });
    expect(dry.errors).toEqual([
      { row: 6, column: 'externalId', problem: 'no customer with externalId nobody in this organization' },
      { row: 7, column: 'points', problem: expect.stringContaining('"1.5" is not a whole number') },
    ]);
    expect((await balances(a.api, c1.id)).active).toBe(0);
    const first = await run(a.api, 'points', csv);
    expect(first).toMatchObject({ rowsApplied: 3, errorCount: 3 });
    expect(first.errors.find((e: { row: number }) => e.row === 4)).toMatchObject({ column: 'points', problem: expect.stringContaining('POINTS_INSUFFICIENT') });
    expect((await balances(a.api, c1.id)).active).toBe(70);
    expect((await balances(a.api, c2.id)).active).toBe(40);
    const entries = (await a.api.get(`/api/v1/customers/${c1.id}/points/entries`)).json().items;
    expect(entries.map((e: { points: number }) => e.points)).toEqual([-30, 100]);
    expect(entries[1]).toMatchObject({ kind: 'manual_add', reason: 'Migration from old program', customerMessage: 'Welcome!', source: { type: 'import', id: first.id } });
    // The same file again: no double points.
    const again = await run(a.api, 'points', csv);
    expect(again).toMatchObject({ rowsApplied: 0, rowsUnchanged: 3 });
    expect((await balances(a.api, c1.id)).active).toBe(70);
    expect((await balances(a.api, c2.id)).active).toBe(40);
  });

  it('resumes a crashed import without applying a row twice', async () => {
    const c = await createCustomer(a.api, { externalId: 'resume-1' });
    const csv = 'externalId,points,reason\n' + Array.from({ length: 450 }, () => 'resume-1,1,Drip').join('\n');
    const res = await upload(a.api, { kind: 'points', dryRun: 'false' }, csv);
    const id = res.json().id;
    await h.worker.drain();
    expect((await balances(a.api, c.id)).active).toBe(450);
    // Simulate a crash after row 300 was applied but before progress was saved past row 200.
    await h.ctx.db.updateTable('imports').set({ status: 'running', rows_done: 200, rows_applied: 200 }).where('org_id', '=', a.org.id).where('id', '=', id).execute();
    await h.ctx.db.updateTable('jobs').set({ status: 'queued', run_at: h.clock.now() }).where('org_id', '=', a.org.id).where('id', '=', res.json().jobId).execute();
    await h.worker.drain();
    const view = (await a.api.get(`/api/v1/imports/${id}`)).json();
    expect(view).toMatchObject({ status: 'done', rowsDone: 450, rowsApplied: 200, rowsUnchanged: 250 });
    expect((await balances(a.api, c.id)).active).toBe(450);
  });

  it('imports birthdays and tiers', async () => {
    const c = await createCustomer(a.api, { externalId: 'dates-1' });
    const bday = await run(a.api, 'birthdays', 'externalId,birthday,anniversary\ndates-1,1985-07-14,\ndates-1,1985-02-30,\n');
    expect(bday).toMatchObject({ rowsApplied: 1, errorCount: 1, errors: [{ row: 3, column: 'birthday' }] });
    expect((await a.api.get(`/api/v1/customers/${c.id}`)).json().birthday).toBe('1985-07-14');
    await insertTier(h, a.org.id, 'Gold', 1000);
    const tiers = await run(a.api, 'tiers', 'externalId,tier\ndates-1,gold\ndates-1,Diamond\n');
    expect(tiers).toMatchObject({ rowsApplied: 1, errorCount: 1, errors: [{ row: 3, column: 'tier', problem: 'no tier named or with id "Diamond"' }] });
    expect((await a.api.get(`/api/v1/customers/${c.id}`)).json().tier).toMatchObject({ name: 'Gold', manual: true });
    expect((await run(a.api, 'tiers', 'externalId,tier\ndates-1,gold\n')).rowsUnchanged).toBe(1);
  });

  it('refuses bad uploads with 400 naming the field, keeps imports per organization, and needs data:import', async () => {
    const cases: [Record<string, string>, string | null, string][] = [
      [{ kind: 'coupons' }, 'a\n', 'kind'],
      [{ kind: 'points', dryRun: 'maybe' }, 'a\n', 'dryRun'],
      [{ kind: 'points' }, null, 'file'],
      [{ kind: 'points' }, '', 'file'],
      [{ kind: 'points' }, 'externalId,reason\nx,y\n', 'file'],
      [{ kind: 'points' }, 'externalId,points,reason\n"unclosed,1,x\n', 'file'],
    ];
    for (const [fields, csv, field] of cases) {
      const res = await upload(a.api, fields, csv);
      expect(res.statusCode, `${JSON.stringify(fields)} ${res.body}`).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    const header = await upload(a.api, { kind: 'points' }, 'externalId,reason\nx,y\n');
    expect(header.json().error.message).toContain('needs a points column');
    const latin1 = await a.api.request('POST', '/api/v1/imports', Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncustomers\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\nexternalId,firstName\r\nx,'),
      Buffer.from([0xe9]),
      Buffer.from('\r\n--b--\r\n'),
    ]), { 'content-type': 'multipart/form-data; boundary=b' });
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().error.message).toContain('UTF-8');
    const mine = await run(a.api, 'customers', 'externalId\nimp-iso\n');
    const b = await createOrgFixture(h);
    expect((await b.api.get(`/api/v1/imports/${mine.id}`)).statusCode).toBe(404);
    expect((await b.api.get('/api/v1/imports')).json().items).toEqual([]);
    expect((await a.api.get('/api/v1/imports?limit=2')).json().items).toHaveLength(2);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const denied = await upload(viewer, { kind: 'points', dryRun: 'true' }, 'externalId,points,reason\n');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('data:import');
  });
});
