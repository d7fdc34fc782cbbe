/**
 * Human-friendly codes (rewards, referrals, cards): e.g. "GOLD-7KXM-Q4HT".
 *
 * The random part uses a 30-character alphabet without 0, O, 1, I, L or U, so
 * it can be read aloud and typed from paper without confusion. An optional
 * prefix is free alphanumeric text chosen by the organization.
 *
 * Look-alike rule (applied by normalizeCode and canonicalCode, to stored codes
 * and user input alike): the digit 0 becomes the letter O and the digit 1
 * becomes the letter I. The random part never contains any of these, so this
 * only matters for prefixes ("G0LD" typed for "GOLD"). Store and look codes up
 * by canonicalCode().
 */

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

export type RandomBytes = (n: number) => Uint8Array;

export interface GenerateCodeOptions {
  /** Number of random groups, 1-16 (default 2). */
  groups?: number;
  /** Characters per random group, 1-32 (default 4). */
  groupLength?: number;
  /** Alphanumeric prefix, 1-16 characters; uppercased and look-alike-normalized. */
  prefix?: string;
}

const ALPHABET_SIZE = CODE_ALPHABET.length;
/** Largest multiple of the alphabet size <= 256; bytes at or above it are rejected to avoid bias. */
const BYTE_LIMIT = 256 - (256 % ALPHABET_SIZE);
const MAX_RANDOM_CALLS = 1000;

function requireIntegerIn(name: string, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${n}`);
  }
}

/**
 * Generates a code from `randomBytes` (inject crypto.randomBytes or
 * crypto.getRandomValues in production) using rejection sampling, so every
 * alphabet character is equally likely.
 */
export function generateCode(randomBytes: RandomBytes, options: GenerateCodeOptions = {}): string {
  const { groups = 2, groupLength = 4, prefix } = options;
  requireIntegerIn('groups', groups, 1, 16);
  requireIntegerIn('groupLength', groupLength, 1, 32);
  let head: string | null = null;
  if (prefix !== undefined) {
    head = normalizeCode(prefix);
    if (!/^[A-Z0-9]{1,16}$/.test(head)) {
      throw new RangeError(`prefix must be 1-16 letters or digits, got '${prefix}'`);
    }
  }
  const total = groups * groupLength;
  const chars: string[] = [];
  for (let call = 0; chars.length < total; call++) {
    if (call >= MAX_RANDOM_CALLS) throw new Error('randomBytes did not provide enough usable random bytes');
    const needed = total - chars.length;
    for (const byte of randomBytes(needed + Math.ceil(needed / 8))) {
      if (byte >= BYTE_LIMIT) continue;
      chars.push(CODE_ALPHABET.charAt(byte % ALPHABET_SIZE));
      if (chars.length === total) break;
    }
  }
  const parts: string[] = head === null ? [] : [head];
  for (let g = 0; g < groups; g++) parts.push(chars.slice(g * groupLength, (g + 1) * groupLength).join(''));
  return parts.join('-');
}

const SEPARATOR_RUN = /[\s_\-\u2010-\u2015\u2212\u30FC]+/gu;

/**
 * Display form of user input: Unicode-compatibility folded (full-width -> ASCII),
 * uppercased, look-alikes mapped (0 -> O, 1 -> I), runs of spaces/dashes/underscores
 * collapsed to a single '-', no leading or trailing '-'.
 * " gold 7kxm–q4ht " -> "GOLD-7KXM-Q4HT". Other characters are left in place.
 */
export function normalizeCode(input: string): string {
  return input
    .normalize('NFKC')
    .toUpperCase()
    .replace(SEPARATOR_RUN, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I');
}

/**
 * Lookup key: normalizeCode without dashes ("GOLD7KXMQ4HT"), or null when the
 * input is empty or contains anything other than letters and digits.
 */
export function canonicalCode(input: string): string | null {
  if (typeof input !== 'string') return null;
  const key = normalizeCode(input).replace(/-/g, '');
  return /^[A-Z0-9]+$/.test(key) ? key : null;
}
