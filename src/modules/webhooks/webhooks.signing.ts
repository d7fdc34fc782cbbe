import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (symmetric, `v1`): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>` with HMAC-SHA256 keyed by the secret's bytes
 * (the base64 after `whsec_`); the header carries `v1,<base64 signature>`, one per secret,
 * space-separated (two while a rotated secret's overlap lasts).
 */

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

export function signature(secret: string, msgId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three Standard Webhooks headers for one attempt, signed with every secret given (newest first). */
export function signedHeaders(secrets: readonly string[], msgId: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, msgId, timestamp, body)).join(' '),
  };
}
