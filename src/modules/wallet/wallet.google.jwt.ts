import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import { AppError } from '../../errors.js';

/**
 * Google service accounts and the JSON Web Tokens Patron signs with their keys (RS256, with
 * node:crypto): the assertion exchanged for an access token, and the "save to Google
 * Wallet" token carried by the save link.
 */

/** What Patron keeps of a service-account key file. */
export interface ServiceAccount {
  clientEmail: string;
  /** PKCS#8 PEM of the RSA private key. Secret: sealed at rest, never logged or returned. */
  privateKeyPem: string;
}

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/**
 * Reads a service-account key file as Google's console downloads it (JSON with `client_email`
 * and `private_key`). Throws a field error naming what is wrong; `field` is the option or
 * field that carried the file.
 */
export function parseServiceAccount(text: string, field = 'serviceAccount'): ServiceAccount {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw AppError.validation(field, 'is not JSON; give the key file (JSON) downloaded from the service account\'s "Keys" tab in the Google Cloud console');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw AppError.validation(field, 'is not a JSON object; give the service-account key file');
  const o = json as Record<string, unknown>;
  if (o.type !== undefined && o.type !== 'service_account') {
    throw AppError.validation(field, `is a "${typeof o.type === 'string' ? o.type : JSON.stringify(o.type)}" credential, not a service-account key; create a key for a service account and give its JSON file`);
  }
  const email = typeof o.client_email === 'string' ? o.client_email.trim() : '';
  if (!EMAIL.test(email) || email.length > 320) throw AppError.validation(`${field}.client_email`, 'is missing or not an e-mail address; give the service-account key file as downloaded');
  if (typeof o.private_key !== 'string' || !o.private_key.includes('PRIVATE KEY')) {
    throw AppError.validation(`${field}.private_key`, 'is missing; the file must hold the private key (a PEM "BEGIN PRIVATE KEY" block)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: o.private_key, format: 'pem' });
  } catch {
    throw AppError.validation(`${field}.private_key`, 'is not a readable PEM private key; download a new key file');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw AppError.validation(`${field}.private_key`, `is an ${String(key.asymmetricKeyType).toUpperCase()} key; Google service-account keys are RSA keys (RS256)`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw AppError.validation(`${field}.private_key`, `is a ${bits}-bit RSA key; RS256 needs at least 2048 bits`);
  return { clientEmail: email, privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A compact JWS signed RS256 with the given private key (PEM). */
export function signJwt(claims: Record<string, unknown>, privateKeyPem: string, header: Record<string, unknown> = {}): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(claims));
  const signer = createSign('RSA-SHA256');
  signer.update(`${head}.${body}`);
  return `${head}.${body}.${signer.sign(privateKeyPem).toString('base64url')}`;
}

/**
 * Checks an RS256 JWT's signature with a public key (PEM, or a private key's PEM: its public
 * half) and returns its header and claims; null when malformed or the signature is wrong.
 */
export function verifyJwt(token: string, keyPem: string): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [head, body, sig] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (header.alg !== 'RS256') return null;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${head}.${body}`);
    if (!verifier.verify(createPublicKey(keyPem), Buffer.from(sig, 'base64url'))) return null;
    return { header, claims: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown> };
  } catch {
    return null;
  }
}
