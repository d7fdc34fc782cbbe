import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx, type Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { allowedTargets } from '../../core/membership.js';
import { formatMoney } from '../../core/money.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { getProgram } from '../program/index.js';
import { anonymizedError, lockForChange } from './customers.lock.js';
import * as repo from './customers.repo.js';
import type { CustomerRow } from './customers.repo.js';
import type { CustomerUpsert, CustomerView } from './customers.schemas.js';

/** A store's own write (its API key or a connected integration such as Shopify) counts as a sync. */
const syncedFromStore = (actor: Actor): boolean => actor.type === 'api_key' || actor.type === 'integration';

export function displayName(row: Pick<CustomerRow, 'first_name' | 'last_name' | 'email'>): string {
  const name = [row.first_name, row.last_name].filter(Boolean).join(' ').trim();
  return name || row.email || 'Unnamed customer';
}

export type TierViewLoader = (db: Executor, row: CustomerRow) => Promise<CustomerView['tier']>;

/** The profile; the tier and referral sections come from the modules that own them (empty when absent). */
export async function toCustomerView(ctx: AppContext, row: CustomerRow, currency?: string): Promise<CustomerView> {
  const db = ctx.db;
  const sections = ctx.events.profileSections;
  const cur = currency ?? (await repo.orgCurrency(db, row.org_id));
  return {
    id: row.id,
    externalId: row.external_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    name: displayName(row),
    phone: row.phone,
    birthday: row.birthday,
    anniversary: row.anniversary,
    accountState: row.account_state,
    emailVerified: row.email_verified,
    membershipType: row.membership_type,
    allowedMembershipMoves: row.anonymized_at ? [] : allowedTargets(row.membership_type),
    balances: {
      active: row.points_active,
      pending: row.points_pending,
      earned: row.points_earned,
      redeemed: row.points_redeemed,
      adjusted: row.points_adjusted,
      expired: row.points_expired,
      reversed: row.points_reversed,
    },
    tier: await sections.tier(ctx, db, row),
    orders: { count: row.orders_count, lifetimeValue: { amount: formatMoney(BigInt(row.lifetime_value_minor), cur), currency: cur } },
    referralStats: await sections.referralStats(ctx, db, row),
    marketingSync: await sections.marketingSync(ctx, db, row),
    note: row.note_text !== null ? { text: row.note_text, updatedAt: row.note_updated_at?.toISOString() ?? null, updatedBy: row.note_updated_by } : null,
    excludedFromReports: row.excluded_from_reports,
    anonymizedAt: row.anonymized_at?.toISOString() ?? null,
    notificationPreferences: row.notification_prefs,
    lastActivityAt: row.last_activity_at?.toISOString() ?? null,
    lastSyncedAt: row.last_synced_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getCustomerRow(db: Executor, orgId: string, id: string): Promise<CustomerRow> {
  const row = await repo.findCustomer(db, orgId, id);
  if (!row) throw AppError.notFound('Customer', id);
  return row;
}

export async function getCustomer(ctx: AppContext, orgId: string, id: string): Promise<CustomerView> {
  return toCustomerView(ctx, await getCustomerRow(ctx.db, orgId, id));
}

type EditableFields = Partial<
  Pick<CustomerRow, 'email' | 'first_name' | 'last_name' | 'phone' | 'account_state' | 'email_verified' | 'birthday' | 'anniversary'>
>;

function fieldsFrom(input: CustomerUpsert): EditableFields {
  const f: EditableFields = {};
  if (input.email !== undefined) f.email = input.email;
  if (input.firstName !== undefined) f.first_name = input.firstName;
  if (input.lastName !== undefined) f.last_name = input.lastName;
  if (input.phone !== undefined) f.phone = input.phone;
  if (input.accountState !== undefined) f.account_state = input.accountState;
  if (input.emailVerified !== undefined) f.email_verified = input.emailVerified;
  if (input.birthday !== undefined) f.birthday = input.birthday;
  if (input.anniversary !== undefined) f.anniversary = input.anniversary;
  return f;
}

const PERSONAL_FIELDS = new Set(['email', 'first_name', 'last_name', 'phone', 'birthday', 'anniversary']);

/**
 * The old and new value of each personal field a change touched, for the timeline
 * ("Birthday changed from Mar 3, 1990 to Mar 5, 1990"). Kept in the event's payload only
 * (`values`), never in its summary, so the erasure can remove every one of them at once.
 */
function changedValues(existing: CustomerRow, changed: [string, unknown][]): Record<string, { from: string | null; to: string | null }> {
  const out: Record<string, { from: string | null; to: string | null }> = {};
  for (const [k, v] of changed) {
    if (!PERSONAL_FIELDS.has(k)) continue;
    const from = existing[k as keyof CustomerRow];
    out[k] = { from: typeof from === 'string' ? from : null, to: typeof v === 'string' ? v : null };
  }
  return out;
}

/**
 * Creates a customer, or updates the one with the same `externalId` (platform sync).
 * Membership starts as `member` for registered customers under automatic membership,
 * `guest` otherwise; later changes go through the membership transitions.
 */
export async function upsertCustomer(ctx: AppContext, orgId: string, input: CustomerUpsert, actor: Actor): Promise<{ customer: CustomerView; created: boolean }> {
  const now = ctx.clock.now();
  const program = await getProgram(ctx.db, orgId);
  const fields = fieldsFrom(input);
  const result = await withTx(ctx.db, async (tx) => {
    const accountState = input.accountState ?? 'guest';
    const inserted = await repo.insertCustomerIfAbsent(tx, {
      org_id: orgId,
      id: newId(now.getTime()),
      external_id: input.externalId ?? null,
      email: fields.email ?? null,
      first_name: fields.first_name ?? null,
      last_name: fields.last_name ?? null,
      phone: fields.phone ?? null,
      birthday: fields.birthday ?? null,
      anniversary: fields.anniversary ?? null,
      account_state: accountState,
      email_verified: input.emailVerified ?? false,
      membership_type: accountState === 'registered' && program.membershipMode === 'automatic' ? 'member' : 'guest',
      tier_id: null,
      tier_achieved_at: null,
      tier_qualifying_order_id: null,
      tier_updated_at: null,
      note_text: null,
      note_updated_at: null,
      note_updated_by: null,
      anonymized_at: null,
      last_activity_at: null,
      last_synced_at: syncedFromStore(actor) ? now : null,
      created_at: now,
      updated_at: now,
    });
    if (inserted) {
      await recordActivity(tx, {
        orgId,
        customerId: inserted.id,
        type: 'customer.created',
        actor,
        summary: `Customer created as ${inserted.membership_type}`,
        payload: { membershipType: inserted.membership_type, accountState: inserted.account_state },
        at: now,
      });
      await emit(tx, ctx, { type: 'customer.created', orgId, payload: { customerId: inserted.id } }, { actor, at: now, customer: inserted });
      return { row: inserted, created: true };
    }
    const existing = (await repo.lockCustomerByExternalId(tx, orgId, input.externalId!))!;
    if (existing.anonymized_at) throw anonymizedError(existing);
    const changed = Object.entries(fields).filter(([k, v]) => existing[k as keyof CustomerRow] !== v);
    if (changed.length === 0) return { row: existing, created: false };
    const row = await repo.updateCustomer(tx, orgId, existing.id, { ...fields, updated_at: now, ...(syncedFromStore(actor) ? { last_synced_at: now } : {}) });
    await recordActivity(tx, {
      orgId,
      customerId: row.id,
      type: 'customer.updated',
      actor,
      summary: `Profile updated: ${changed.map(([k]) => k.replace(/_/g, ' ')).join(', ')}`,
      payload: { fields: changed.map(([k]) => k), values: changedValues(existing, changed) },
      at: now,
    });
    const registeredNow = existing.account_state === 'guest' && row.account_state === 'registered';
    if (registeredNow && row.membership_type === 'guest' && program.membershipMode === 'automatic') {
      await emit(tx, ctx, { type: 'customer.registered', orgId, payload: { customerId: row.id } }, { actor, at: now, customer: row });
      return { row: await repo.findCustomer(tx, orgId, row.id).then((r) => r!), created: false };
    }
    return { row, created: false };
  });
  return { customer: await toCustomerView(ctx, result.row), created: result.created };
}

export type CustomerPatch = Pick<CustomerUpsert, 'firstName' | 'lastName' | 'email' | 'phone' | 'birthday' | 'anniversary'>;

const LABELS: Record<string, string> = { first_name: 'first name', last_name: 'last name', email: 'email', phone: 'phone', birthday: 'birthday', anniversary: 'anniversary' };

/**
 * Staff edit of name, email, phone, birthday and anniversary (null removes). Refused once
 * anonymized. Date edits never re-open a birthday or anniversary reward already given this
 * year: those are unique per customer and calendar year in the ledger.
 */
export async function updateCustomerProfile(ctx: AppContext, orgId: string, id: string, patch: CustomerPatch, actor: Actor): Promise<CustomerView> {
  const now = ctx.clock.now();
  if (patch.birthday && patch.birthday > now.toISOString().slice(0, 10)) throw AppError.validation('birthday', 'must not be in the future');
  const fields = fieldsFrom(patch);
  const row = await withTx(ctx.db, async (tx) => {
    const existing = await lockForChange(tx, orgId, id);
    const changed = Object.entries(fields).filter(([k, v]) => existing[k as keyof CustomerRow] !== v);
    if (changed.length === 0) return existing;
    const updated = await repo.updateCustomer(tx, orgId, id, { ...fields, updated_at: now });
    const changes = Object.fromEntries(
      changed.map(([k, v]) => [k, v === null ? 'removed' : existing[k as keyof CustomerRow] === null ? 'set' : 'changed']),
    );
    await recordActivity(tx, {
      orgId,
      customerId: id,
      type: 'customer.updated',
      actor,
      summary: `Profile edited: ${Object.entries(changes).map(([k, how]) => `${LABELS[k] ?? k} ${how}`).join(', ')}`,
      payload: { fields: changed.map(([k]) => k), changes, values: changedValues(existing, changed) },
      at: now,
    });
    return updated;
  });
  return toCustomerView(ctx, row);
}
