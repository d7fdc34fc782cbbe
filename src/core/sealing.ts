import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for secrets Patron must use again (a store's access token, an app's
 * client secret): AES-256-GCM, a fresh 96-bit nonce per value, the tag checked on open.
 * The key is derived from a configured secret and a purpose, so one secret can serve
 * several uses without their values being interchangeable.
 */
export interface Sealer {
  seal(plain: string): string;
  /** The plain text; throws when the value was sealed under another key or altered. */
  open(sealed: string): string;
}

const PREFIX = 'sealed:v1:';

export function createSealer(secret: string, purpose: string): Sealer {
  const key = createHmac('sha256', secret).update(`patron sealing key: ${purpose}`).digest();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed value');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
