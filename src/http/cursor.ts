import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * The one keyset cursor codec of every list: `<base64url JSON>.<base64url MAC>`. The MAC
 * (HMAC-SHA256 with a key derived from the session secret, 128 bits kept) covers the list,
 * the organization and the value, so a cursor the server did not hand out for this list
 * and organization — forged, edited, or taken from another list — is refused with 400
 * `cursor` instead of paging from an arbitrary point. Cursors stay valid across restarts
 * as long as the secret does not change.
 */

export interface CursorScope {
  /** The list, e.g. `rewards` or `points.entries`. */
  list: string;
  orgId: string;
  /** What the list is of, when it is one customer's (the customer id). */
  of?: string;
}

interface HasSecret {
  config: { sessionSecret: string };
}

const MAC_BYTES = 16;
const keys = new Map<string, Buffer>();

function keyOf(ctx: HasSecret): Buffer {
  let key = keys.get(ctx.config.sessionSecret);
  if (!key) {
    key = createHmac('sha256', ctx.config.sessionSecret).update('patron cursor v1').digest();
    keys.set(ctx.config.sessionSecret, key);
  }
  return key;
}

function mac(ctx: HasSecret, scope: CursorScope, payload: string): Buffer {
  return createHmac('sha256', keyOf(ctx))
    .update(`${scope.list}\n${scope.orgId}\n${scope.of ?? ''}\n${payload}`)
    .digest()
    .subarray(0, MAC_BYTES);
}

export const BAD_CURSOR = 'is not a cursor returned by this list; start again without it';

export function encodeCursor(ctx: HasSecret, scope: CursorScope, value: unknown): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(ctx, scope, payload).toString('base64url')}`;
}

/**
 * The value of a cursor this list handed out, null when none was sent; anything else —
 * forged, edited, from another list or organization, or not passing `check` — is 400 `cursor`.
 */
export function readCursor<T>(ctx: HasSecret, scope: CursorScope, cursor: string | undefined, check: (v: unknown) => v is T): T | null {
  if (cursor === undefined || cursor === '') return null;
  const m = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
  if (m) {
    const given = Buffer.from(m[2]!, 'base64url');
    if (given.length === MAC_BYTES && timingSafeEqual(given, mac(ctx, scope, m[1]!))) {
      try {
        const v: unknown = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'));
        if (check(v)) return v;
      } catch {
        // refused below
      }
    }
  }
  throw AppError.validation('cursor', BAD_CURSOR);
}

/** Checks for the usual cursor shapes. */
export const isIdCursor = (v: unknown): v is { id: string } => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string';

/** `{ t: ISO time, id }`, the cursor of lists ordered by time then id. */
export const isTimeCursor = (v: unknown): v is { t: string; id: string } => {
  const t = (v as { t?: unknown } | null)?.t;
  return isIdCursor(v) && typeof t === 'string' && !Number.isNaN(Date.parse(t));
};
