import { createHash } from 'node:crypto';
import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { enqueue } from '../../jobs/queue.js';
import type { JobHelpers, JobRecord } from '../../jobs/worker.js';
import { getProgram } from '../program/index.js';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv-parse.js';
import { applyRow, tierIdOf, type ApplyContext } from './imports.apply.js';
import { parseBasisValue, progressUnit } from '../tiers/index.js';
import type { TierBasis } from '../../core/tiers.js';
import * as repo from './imports.repo.js';
import { customerKey, parseRow, readHeader, type Header, type ImportKind, type ParsedRow, type RowError } from './imports.rows.js';
import { keysetPage } from '../../db/paging.js';

export const IMPORT_JOB = 'imports.run';
/** Row errors kept in a report; the count is always exact. */
export const MAX_REPORTED_ERRORS = 1000;
const BATCH = 500;
/** Customers imported side by side on PostgreSQL (rows of one customer stay in file order). */
const PARALLEL_ROWS = 4;

export interface ImportFile {
  kind: ImportKind;
  fileName: string | null;
  bytes: Buffer;
}

function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw AppError.validation('file', 'is not UTF-8 text; save the CSV as UTF-8');
  }
}

/** Header checks that refuse the whole file (400 naming the column). */
function headerOf(kind: ImportKind, records: Iterator<CsvRecord>): Header {
  const first = records.next();
  if (first.done) throw AppError.validation('file', 'is empty; the first row must name the columns');
  const { header, problems } = readHeader(kind, first.value.cells);
  if (problems.length > 0) throw AppError.validation('file', `header: ${problems.join('; ')}`, problems.map((p) => ({ field: 'file', problem: p })));
  return header;
}

function* rows(text: string): Generator<CsvRecord> {
  try {
    yield* parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw AppError.validation('file', err.message);
    throw err;
  }
}

async function tiersOf(ctx: AppContext, orgId: string): Promise<ApplyContext['tiers']> {
  const list = await repo.orgTiers(ctx.db, orgId);
  return { byId: new Map(list.map((t) => [t.id, t.name])), byName: new Map(list.map((t) => [t.name.toLowerCase(), t.id])) };
}

/** Database checks a dry run can make for a batch of valid rows: the customers and tiers exist. */
async function checkBatch(
  ctx: AppContext,
  orgId: string,
  batch: { row: number; parsed: ParsedRow }[],
  tiers: ApplyContext['tiers'],
  errors: RowError[],
  unit: { basis: TierBasis; currency: string } | null = null,
) {
  const refs = batch.map((b) => b.parsed).filter((p) => p.kind !== 'customers');
  if (refs.length === 0) return 0;
  const ids = refs.flatMap((p) => ('ref' in p && 'customerId' in p.ref ? [p.ref.customerId] : []));
  const exts = refs.flatMap((p) => ('ref' in p && 'externalId' in p.ref ? [p.ref.externalId] : []));
  const found = await repo.existingRefs(ctx.db, orgId, ids, exts);
  let bad = 0;
  for (const { row, parsed: p } of batch) {
    if (p.kind === 'customers') continue;
    const known = 'customerId' in p.ref ? found.ids.has(p.ref.customerId) : found.externalIds.has(p.ref.externalId);
    const rowErrors: RowError[] = [];
    if (!known) {
      const [col, v] = 'customerId' in p.ref ? ['customerId', `id ${p.ref.customerId}`] : ['externalId', `externalId ${p.ref.externalId}`];
      rowErrors.push({ row, column: col, problem: `no customer with ${v} in this organization` });
    }
    if (p.kind === 'tiers' && !tierIdOf({ tiers } as ApplyContext, p.tier)) rowErrors.push({ row, column: 'tier', problem: `no tier named or with id "${p.tier}"` });
    if (p.kind === 'tiers' && p.tierProgress !== undefined && unit) {
      // The same representation as the API: an amount for amount spent, a whole number of points or orders.
      try {
        parseBasisValue('tierProgress', unit.basis, p.tierProgress, unit.currency, { text: true });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        rowErrors.push({ row, column: 'tierProgress', problem: `"${p.tierProgress}" ${err.message.replace(/^tierProgress: /, '')}` });
      }
    }
    if (rowErrors.length > 0) bad++;
    errors.push(...rowErrors);
  }
  return bad;
}

export interface DryRunReport {
  dryRun: true;
  kind: ImportKind;
  rowsTotal: number;
  rowsValid: number;
  rowsWithErrors: number;
  errorCount: number;
  errors: RowError[];
  ignoredColumns: string[];
}

/** Validates every row (format, then customers and tiers exist) and applies nothing. */
export async function dryRunImport(ctx: AppContext, orgId: string, file: ImportFile): Promise<DryRunReport> {
  const records = rows(decode(file.bytes));
  const header = headerOf(file.kind, records);
  const tiers = file.kind === 'tiers' ? await tiersOf(ctx, orgId) : { byId: new Map<string, string>(), byName: new Map<string, string>() };
  const unit = file.kind === 'tiers' ? await progressUnit(ctx.db, orgId) : null;
  const errors: RowError[] = [];
  let total = 0;
  let invalid = 0;
  let batch: { row: number; parsed: ParsedRow }[] = [];
  for (const rec of { [Symbol.iterator]: () => records }) {
    total++;
    const r = parseRow(file.kind, header, rec.cells, rec.row);
    if (r.parsed) batch.push({ row: rec.row, parsed: r.parsed });
    else {
      invalid++;
      errors.push(...r.errors);
    }
    if (batch.length >= BATCH) {
      invalid += await checkBatch(ctx, orgId, batch, tiers, errors, unit);
      batch = [];
    }
  }
  invalid += await checkBatch(ctx, orgId, batch, tiers, errors, unit);
  errors.sort((x, y) => x.row - y.row);
  return { dryRun: true, kind: file.kind, rowsTotal: total, rowsValid: total - invalid, rowsWithErrors: invalid, errorCount: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS), ignoredColumns: header.ignored };
}

export interface ImportView {
  id: string;
  kind: ImportKind;
  fileName: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsTotal: number;
  rowsDone: number;
  rowsApplied: number;
  rowsUnchanged: number;
  rowsWithErrors: number;
  errorCount: number;
  errors: RowError[];
  jobId: string | null;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export function toImportView(r: repo.ImportSummary): ImportView {
  return {
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    status: r.status,
    rowsTotal: r.rows_total,
    rowsDone: r.rows_done,
    rowsApplied: r.rows_applied,
    rowsUnchanged: r.rows_unchanged,
    rowsWithErrors: r.rows_with_errors,
    errorCount: r.error_count,
    errors: r.errors,
    jobId: r.job_id,
    createdBy: r.actor_name,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

/** Checks the header, stores the file and queues the job that applies it. */
export async function startImport(ctx: AppContext, orgId: string, file: ImportFile, actor: Actor): Promise<ImportView> {
  const text = decode(file.bytes);
  const records = rows(text);
  headerOf(file.kind, records);
  let total = 0;
  for (const _ of { [Symbol.iterator]: () => records }) total++;
  const now = ctx.clock.now();
  const id = newId(now.getTime());
  await withTx(ctx.db, async (tx) => {
    const jobId = await enqueue(tx, { orgId, type: IMPORT_JOB, payload: { importId: id }, runAt: now, maxAttempts: 5 });
    await repo.insertImport(tx, {
      org_id: orgId,
      id,
      kind: file.kind,
      file_name: file.fileName,
      file_sha256: createHash('sha256').update(file.bytes).digest('hex'),
      csv: text,
      rows_total: total,
      errors: '[]',
      job_id: jobId,
      actor_type: actor.type,
      actor_id: actor.id,
      actor_name: actor.name,
      created_at: now,
      updated_at: now,
      finished_at: null,
    });
  });
  return getImport(ctx, orgId, id);
}

export async function getImport(ctx: AppContext, orgId: string, id: string): Promise<ImportView> {
  const row = await repo.findImportSummary(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Import', id);
  return toImportView(row);
}

/**
 * The job: each row in its own transaction; progress saved every few hundred rows, so a
 * retry resumes there. Rows re-applied after a crash are no-ops (points rows carry the
 * unique key import:<sha256 of the file>:<row>; customers upsert by externalId).
 */
export async function runImportJob(ctx: AppContext, job: JobRecord, helpers: JobHelpers): Promise<Record<string, unknown>> {
  const importId = String(job.payload.importId);
  const imp = await repo.findImport(ctx.db, job.orgId, importId);
  if (!imp) return { skipped: 'import not found' };
  if (imp.status === 'done') return { importId, status: 'done' };
  const actor: Actor = { type: imp.actor_type as Actor['type'], id: imp.actor_id, name: imp.actor_name ?? 'Import' };
  const a: ApplyContext = { ctx, orgId: job.orgId, importId, fileSha: imp.file_sha256, actor, program: await getProgram(ctx.db, job.orgId), tiers: await tiersOf(ctx, job.orgId) };
  const counts = { done: imp.rows_done, applied: imp.rows_applied, unchanged: imp.rows_unchanged, rowsWithErrors: imp.rows_with_errors, errorCount: imp.error_count };
  const errors: RowError[] = [...imp.errors];
  const flush = async (status: 'running' | 'done') => {
    const now = ctx.clock.now();
    await repo.updateImport(ctx.db, job.orgId, importId, {
      status,
      rows_done: counts.done,
      rows_applied: counts.applied,
      rows_unchanged: counts.unchanged,
      rows_with_errors: counts.rowsWithErrors,
      error_count: counts.errorCount,
      errors: JSON.stringify(errors),
      updated_at: now,
      ...(status === 'done' ? { finished_at: now } : {}),
    });
    await helpers.progress({ done: counts.done, total: imp.rows_total, applied: counts.applied, unchanged: counts.unchanged, rowsWithErrors: counts.rowsWithErrors, errors: counts.errorCount });
  };
  await flush('running');
  const records = rows(imp.csv);
  const header = headerOf(imp.kind, records);
  // Rows go in windows of 200: rows naming the same customer run in file order, different
  // customers run side by side (PostgreSQL connections); progress is saved after each window.
  const apply = async (rec: CsvRecord): Promise<RowError[]> => {
    const r = parseRow(imp.kind, header, rec.cells, rec.row);
    if (!r.parsed) return r.errors;
    const outcome = await applyRow(a, r.parsed, rec.row);
    if (outcome === 'applied') counts.applied++;
    else if (outcome === 'unchanged') counts.unchanged++;
    else return [outcome];
    return [];
  };
  const parallel = ctx.database.pool ? PARALLEL_ROWS : 1;
  let index = 0;
  let window: CsvRecord[] = [];
  const runWindow = async () => {
    const groups = new Map<string, CsvRecord[]>();
    for (const rec of window) {
      const key = customerKey(imp.kind, header, rec.cells);
      groups.set(key, [...(groups.get(key) ?? []), rec]);
    }
    const queue = [...groups.values()];
    const found: RowError[] = [];
    await Promise.all(
      Array.from({ length: Math.min(parallel, queue.length) }, async () => {
        for (let g = queue.shift(); g; g = queue.shift()) for (const rec of g) found.push(...(await apply(rec)));
      }),
    );
    found.sort((x, y) => x.row - y.row);
    counts.errorCount += found.length;
    counts.rowsWithErrors += new Set(found.map((e) => e.row)).size;
    for (const e of found) if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
    counts.done += window.length;
    window = [];
    await flush('running');
  };
  for (const rec of { [Symbol.iterator]: () => records }) {
    if (index++ < counts.done) continue;
    window.push(rec);
    if (window.length === 200) await runWindow();
  }
  if (window.length > 0) await runWindow();
  await flush('done');
  return { importId, rowsTotal: imp.rows_total, applied: counts.applied, unchanged: counts.unchanged, rowsWithErrors: counts.rowsWithErrors, errors: counts.errorCount };
}

export async function listImports(ctx: AppContext, orgId: string, before: { at: Date; id: string } | null, limit: number) {
  const { page, next } = await keysetPage(limit, (n) => repo.listImports(ctx.db, orgId, before, n), (last) => ({ at: last.created_at.toISOString(), id: last.id }));
  return { items: page.map(toImportView), next };
}
