import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import type { NotificationPrefs } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { recordActivity } from '../activity/index.js';
import type { AuthContext } from '../auth/index.js';
import { lockForChange } from '../customers/index.js';
import { findPreferences, writePreferences } from './preferences.repo.js';
import { PREFERENCE_TYPES } from './preferences.schemas.js';

const LABELS: Record<keyof NotificationPrefs, string> = {
  balance: 'balance',
  location: 'location',
  marketing: 'marketing',
  tier: 'tier',
  rewardAvailable: 'reward available',
};

/**
 * Preferences belong to the customer. Without customer-facing tokens, the honest channel is
 * the store acting for its signed-in customer with an API key: staff sessions are refused,
 * and the timeline records the customer (via that key) as the actor.
 */
export function customerActorFor(auth: AuthContext): Actor {
  if (auth.via !== 'api_key') {
    throw new AppError(
      'PERMISSION_DENIED',
      'Notification preferences are set by the customer (through the store, with an API key); staff can see them on the profile but not change them',
      { requires: 'api_key' },
    );
  }
  return { type: 'customer', id: auth.actor.id, name: `Customer (via ${auth.actor.name})` };
}

export async function getPreferences(ctx: AppContext, orgId: string, customerId: string): Promise<NotificationPrefs> {
  const row = await findPreferences(ctx.db, orgId, customerId);
  if (!row) throw AppError.notFound('Customer', customerId);
  return row.notification_prefs;
}

export async function setPreferences(ctx: AppContext, orgId: string, customerId: string, patch: Partial<NotificationPrefs>, actor: Actor): Promise<NotificationPrefs> {
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const customer = await lockForChange(tx, orgId, customerId);
    const current = customer.notification_prefs;
    const next = { ...current };
    for (const t of PREFERENCE_TYPES) if (patch[t] !== undefined) next[t] = patch[t];
    const changed = PREFERENCE_TYPES.filter((t) => next[t] !== current[t]);
    if (changed.length === 0) return current;
    await writePreferences(tx, orgId, customerId, next, now);
    await recordActivity(tx, {
      orgId,
      customerId,
      type: 'preferences.updated',
      actor,
      summary: `Notification preferences: ${changed.map((t) => `${LABELS[t]} ${next[t] ? 'on' : 'off'}`).join(', ')}`,
      payload: { changed: Object.fromEntries(changed.map((t) => [t, next[t]])) },
      at: now,
    });
    return next;
  });
}
