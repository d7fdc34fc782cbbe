import type { Actor, AppContext } from '../../context.js';
import { withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { toCustomerView } from '../customers/index.js';
import { lockCustomer, type CustomerRow } from '../points/index.js';
import { lockForChange } from '../customers/index.js';
import {
  deletePreviousValues,
  disableReferralLinks,
  eraseNoteVersions,
  eraseProfileChangeValues,
  eraseRepliesAbout,
  matchingColumns,
  previousValues,
  redactColumn,
  tableWrites,
  tenantTextColumns,
  updateCustomer,
  type PreviousValue,
  type RedactPatterns,
  type TextColumn,
} from './privacy.repo.js';

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** A needle as it appears in plain text and, when different, inside JSON text (escaped quotes etc.). */
function forms(needle: string): string[] {
  const json = JSON.stringify(needle).slice(1, -1);
  return json === needle ? [needle] : [needle, json];
}

function alternation(needles: string[], minLength: number): string[] {
  return [...new Set(needles.filter((n) => n.trim().length >= minLength).flatMap(forms))].sort((a, b) => b.length - a.length).map(escapeRegex);
}

/** Every value of one kind the customer has or had, trimmed, without duplicates. */
function valuesOf(c: CustomerRow, previous: PreviousValue[], field: PreviousValue['field']): string[] {
  const all = [c[field], ...previous.filter((p) => p.field === field).map((p) => p.value)];
  return [...new Set(all.map((v) => v?.trim() ?? '').filter((v) => v.length > 0))];
}

/**
 * What identifies the person, now or before an edit: each email and phone (wherever they
 * appear in the organization, the row is about this person) and each name: every full
 * name anywhere in those rows, and each name part as a whole, case-sensitive word
 * ("Zelda", not "zeldas") so ordinary words survive. Another customer's own identity
 * columns are never touched.
 */
function patternsFor(c: CustomerRow, previous: PreviousValue[]): RedactPatterns | null {
  const firsts = valuesOf(c, previous, 'first_name');
  const lasts = valuesOf(c, previous, 'last_name');
  const emails = valuesOf(c, previous, 'email');
  const phones = valuesOf(c, previous, 'phone');
  const fullNames =
    firsts.length === 0 ? lasts : lasts.length === 0 ? firsts : firsts.flatMap((f) => lasts.flatMap((l) => [`${f} ${l}`, `${l}, ${f}`, `${l} ${f}`]));
  const names = [...fullNames, ...[...firsts, ...lasts].filter((n) => /\s/.test(n))];
  const identifiers = alternation([...emails, ...phones], 3);
  const full = alternation([...emails, ...phones, ...names], 3);
  const parts = alternation([...firsts, ...lasts], 2);
  if (full.length === 0 && parts.length === 0) return null;
  return {
    full: full.length > 0 ? `(${full.join('|')})` : null,
    parts: parts.length > 0 ? `\\m(${parts.join('|')})\\M` : null,
    identifiers: identifiers.length > 0 ? `(${identifiers.join('|')})` : null,
  };
}

/** What a retry of an earlier request about an erased customer answers instead of its stored reply. */
function erasedReply(customerId: string, at: Date) {
  return {
    error: {
      code: 'CUSTOMER_ANONYMIZED',
      message: `This customer was anonymized on ${at.toISOString().slice(0, 10)}; the reply stored for this Idempotency-Key was erased with their personal data. Nothing was changed now.`,
      details: { id: customerId },
    },
  };
}

/**
 * GDPR erasure, irreversible. The profile keeps only what is not personal (ids, balances,
 * membership, tier, order totals); the email becomes anonymized+<id>@invalid.patron, the
 * name "Anonymous", phone, birthday, anniversary and note are cleared. Then, for every
 * email, phone and name the customer has or ever had (earlier ones are kept by the
 * customer_previous_values trigger, deleted here): every text or JSON value in the
 * organization's tables that carries the email or phone, or (in rows about this customer)
 * the name, is rewritten: timeline summaries and payloads, ledger reasons and messages,
 * refund reasons, import files, job and outbound event payloads, other customers' notes.
 * Earlier note versions and the old and new values of profile edits are removed from the timeline, and the stored Idempotency-Key
 * replies of requests about the customer become 409 CUSTOMER_ANONYMIZED. Ledger amounts
 * and report totals do not change. Runs under the customer's row lock, like every write:
 * a concurrent change either commits first (and is erased here) or waits and is refused.
 * The platform id (external_id) is kept unless it contains personal data: it is an opaque
 * key, and keeping it makes a later platform sync refuse the profile (409) instead of
 * re-creating the person.
 */
export async function anonymizeCustomer(ctx: AppContext, orgId: string, customerId: string, confirmEmail: string, actor: Actor) {
  const row = await withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const c = await lockCustomer(tx, orgId, customerId);
    if (!c) throw AppError.notFound('Customer', customerId);
    if (c.anonymized_at) {
      throw new AppError('CUSTOMER_ANONYMIZED', `This customer was already anonymized on ${c.anonymized_at.toISOString().slice(0, 10)}`, { id: customerId });
    }
    checkConfirmation(c, confirmEmail, 'confirmEmail');
    const [updated] = await eraseLocked(ctx, tx, orgId, [c], actor, now);
    return updated!;
  });
  return toCustomerView(ctx, row);
}

/** One customer of a batch erasure and the email (or id, for a customer without one) that confirms it. */
export interface ErasureTarget {
  customerId: string;
  confirmEmail: string;
}

export type ErasureOutcome =
  | { customerId: string; status: 'anonymized' }
  | { customerId: string; status: 'already_anonymized'; anonymizedAt: Date }
  | { customerId: string; status: 'not_found' };

/** Most customers one batch erases (each is locked for the whole transaction). */
export const MAX_ERASURE_BATCH = 500;

/**
 * GDPR erasure of many customers of one organization at once (a store's `shop/redact`), with
 * exactly the result of erasing them one by one in the given order (`anonymizeCustomer`):
 * the same profile changes, rewritten values, timeline entries and events. What it saves is
 * the scanning: instead of rewriting every text column of the organization once per
 * customer, one pass per table first finds, for all the customers together, the columns
 * where each one's emails, phones or names appear at all; a customer's erasure then rewrites
 * only those, and in the tables written since that pass (by earlier erasures of the batch,
 * their timeline entries and events), the columns where it appears by then. One transaction holds every customer's row lock, taken in id order. A customer
 * already anonymized or unknown is skipped and reported; a confirmation that does not match
 * refuses the whole batch, changing nothing.
 */
export async function anonymizeCustomers(ctx: AppContext, orgId: string, targets: readonly ErasureTarget[], actor: Actor): Promise<ErasureOutcome[]> {
  if (targets.length > MAX_ERASURE_BATCH) {
    throw AppError.validation('customers', `must name at most ${MAX_ERASURE_BATCH} customers per batch; erase more in several batches`);
  }
  const ids = targets.map((t) => t.customerId);
  if (new Set(ids).size !== ids.length) throw AppError.validation('customers', 'names a customer twice; name each customer once');
  if (targets.length === 0) return [];
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const rows = new Map<string, CustomerRow>();
    for (const id of [...ids].sort()) {
      const c = await lockCustomer(tx, orgId, id);
      if (c) rows.set(id, c);
    }
    const outcomes: ErasureOutcome[] = [];
    const erase: CustomerRow[] = [];
    for (const [i, t] of targets.entries()) {
      const c = rows.get(t.customerId);
      if (!c) outcomes.push({ customerId: t.customerId, status: 'not_found' });
      else if (c.anonymized_at) outcomes.push({ customerId: t.customerId, status: 'already_anonymized', anonymizedAt: c.anonymized_at });
      else {
        checkConfirmation(c, t.confirmEmail, `customers[${i}].confirmEmail`);
        erase.push(c);
        outcomes.push({ customerId: t.customerId, status: 'anonymized' });
      }
    }
    await eraseLocked(ctx, tx, orgId, erase, actor, now);
    return outcomes;
  });
}

function checkConfirmation(c: CustomerRow, confirmEmail: string, field: string): void {
  const expected = (c.email ?? c.id).trim().toLowerCase();
  if (confirmEmail.trim().toLowerCase() !== expected) {
    throw AppError.validation(
      field,
      c.email ? "does not match the customer's current email; type it exactly to confirm this permanent erasure" : 'this customer has no email: send the customer id to confirm this permanent erasure',
    );
  }
}

const samePatterns = (a: RedactPatterns | null, b: RedactPatterns | null) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Erases locked customers one after the other, in order. Before the first, one pass per
 * table notes which columns hold any match of each customer's patterns; redactColumn would
 * change nothing in the others, so they are skipped; a table written since that pass (by an
 * earlier erasure of the batch, its timeline entry, its events and their reactions) is
 * looked at again for the customer, and a customer whose patterns changed meanwhile gets
 * every column.
 */
async function eraseLocked(ctx: AppContext, tx: Tx, orgId: string, customers: readonly CustomerRow[], actor: Actor, now: Date): Promise<CustomerRow[]> {
  if (customers.length === 0) return [];
  const initial = [];
  for (const c of customers) initial.push(patternsFor(c, await previousValues(tx, orgId, c.id)));
  const columns = initial.some((p) => p !== null) ? await tenantTextColumns(tx) : [];
  const indexed = initial.flatMap((p, i) => (p ? [{ p, i }] : []));
  const matched = new Set<string>();
  const byTable = new Map<string, TextColumn[]>();
  for (const col of columns) byTable.set(col.table, [...(byTable.get(col.table) ?? []), col]);
  for (const [table, cols] of byTable) {
    for (const key of await matchingColumns(tx, table, cols, orgId, indexed.map((x) => x.p))) {
      const [column, k] = key.split('\t');
      matched.add(`${table}.${column}\t${indexed[Number(k)]!.i}`);
    }
  }
  const writesAtScan = await tableWrites(tx);
  const out: CustomerRow[] = [];
  for (const [i, c] of customers.entries()) {
    const previous = await previousValues(tx, orgId, c.id);
    const patterns = patternsFor(c, previous);
    const everywhere = !samePatterns(patterns, initial[i]!);
    const candidates = everywhere ? columns : columns.filter((col) => matched.has(`${col.table}.${col.column}\t${i}`));
    out.push(await eraseOne(ctx, tx, orgId, c, previous, patterns, { all: columns, candidates, writesAtScan }, actor, now));
  }
  return out;
}

/**
 * One customer's erasure (see anonymizeCustomer). Of the text columns, it rewrites the
 * candidates (where the scan found its patterns) and, in tables written since the scan (by
 * this erasure so far or an earlier one of the batch), the columns where they appear now, so
 * it rewrites exactly what a pass over every column would.
 */
async function eraseOne(
  ctx: AppContext,
  tx: Tx,
  orgId: string,
  c: CustomerRow,
  previous: PreviousValue[],
  patterns: RedactPatterns | null,
  scan: { all: TextColumn[]; candidates: TextColumn[]; writesAtScan: Map<string, number> },
  actor: Actor,
  now: Date,
): Promise<CustomerRow> {
  const customerId = c.id;
  const personal = [c.email, c.phone, c.first_name, c.last_name, ...previous.map((p) => p.value)].filter((v): v is string => !!v && v.trim().length >= 2);
  const externalIsPersonal = c.external_id !== null && personal.some((n) => c.external_id!.toLowerCase().includes(n.trim().toLowerCase()));
  const updated = await updateCustomer(tx, orgId, customerId, {
    email: `anonymized+${c.id}@invalid.patron`,
    first_name: 'Anonymous',
    last_name: null,
    phone: null,
    birthday: null,
    anniversary: null,
    email_verified: false,
    note_text: null,
    note_updated_at: null,
    note_updated_by: null,
    ...(externalIsPersonal ? { external_id: null } : {}),
    anonymized_at: now,
    updated_at: now,
  });
  await disableReferralLinks(tx, orgId, customerId, now);
  await deletePreviousValues(tx, orgId, customerId);
  const rewritten: Record<string, number> = {};
  const notes = await eraseNoteVersions(tx, orgId, customerId);
  const changes = await eraseProfileChangeValues(tx, orgId, customerId);
  if (notes + changes > 0) rewritten['activity_events.payload'] = notes + changes;
  const replies = await eraseRepliesAbout(tx, orgId, customerId, JSON.stringify(erasedReply(customerId, now)));
  if (replies > 0) rewritten['idempotency_keys.response_raw'] = replies;
  if (patterns) {
    const writes = await tableWrites(tx);
    const written = new Set([...writes].filter(([t, n]) => n !== (scan.writesAtScan.get(t) ?? 0)).map(([t]) => t));
    const candidates = new Set(scan.candidates.map((col) => `${col.table}.${col.column}`));
    // Tables written since the scan are looked at again, as they are now, for this customer.
    for (const table of written) {
      const cols = scan.all.filter((col) => col.table === table);
      for (const key of await matchingColumns(tx, table, cols, orgId, [patterns])) candidates.add(`${table}.${key.split('\t')[0]!}`);
    }
    const rewrittenTables = new Set<string>();
    for (const col of scan.all) {
      if (!candidates.has(`${col.table}.${col.column}`) && !rewrittenTables.has(col.table)) continue;
      const n = await redactColumn(tx, col, orgId, customerId, patterns);
      if (n > 0) {
        rewritten[`${col.table}.${col.column}`] = (rewritten[`${col.table}.${col.column}`] ?? 0) + n;
        rewrittenTables.add(col.table);
      }
    }
  }
  await recordActivity(tx, {
    orgId,
    customerId,
    type: 'customer.anonymized',
    actor,
    summary: 'Customer anonymized (GDPR erasure): personal data removed; ledger and history kept',
    payload: { rewritten, externalIdKept: !externalIsPersonal && c.external_id !== null },
    at: now,
  });
  await emit(tx, ctx, { type: 'customer.anonymized', orgId, payload: { customerId } }, { actor, at: now });
  return updated;
}

/** Exclude from (or include in) analytics and list exports, e.g. staff or test accounts. */
export async function setReportingExcluded(ctx: AppContext, orgId: string, customerId: string, excluded: boolean, actor: Actor) {
  const row = await withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const c = await lockForChange(tx, orgId, customerId);
    if (c.excluded_from_reports === excluded) return c;
    const updated = await updateCustomer(tx, orgId, customerId, { excluded_from_reports: excluded, updated_at: now });
    await recordActivity(tx, {
      orgId,
      customerId,
      type: excluded ? 'customer.reporting_excluded' : 'customer.reporting_included',
      actor,
      summary: excluded ? 'Excluded from reports and exports' : 'Included in reports and exports again',
      payload: { excluded },
      at: now,
    });
    return updated;
  });
  return toCustomerView(ctx, row);
}
