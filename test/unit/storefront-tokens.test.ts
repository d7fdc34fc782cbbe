import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appProxyMessage, signCustomerToken, verifyAppProxySignature, verifyCustomerToken } from '../../src/modules/storefront/storefront.tokens.js';

const SECRET = 'sk_test_storefront_secret';
const NOW = 1_767_000_000;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('customer tokens (HS256 JWT)', () => {
  it('accepts a token signed with the secret and returns its claims', () => {
    const t = signCustomerToken({ sub: '9007199254740993', exp: NOW + 900, email: 'ada@example.com', firstName: 'Ada' }, SECRET);
    expect(verifyCustomerToken(t, SECRET, NOW)).toEqual({ ok: true, claims: { sub: '9007199254740993', exp: NOW + 900, email: 'ada@example.com', firstName: 'Ada', lastName: undefined, preview: undefined } });
  });

  it('matches a token any JWT library makes (fixed vector)', () => {
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ sub: 'c-1', exp: NOW + 60 });
    const sig = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
    expect(verifyCustomerToken(`${header}.${payload}.${sig}`, SECRET, NOW).ok).toBe(true);
  });

  it.each([
    ['another secret', (): string => signCustomerToken({ sub: 'c', exp: NOW + 60 }, 'other'), 'TOKEN_INVALID'],
    ['expired', (): string => signCustomerToken({ sub: 'c', exp: NOW - 61 }, SECRET), 'TOKEN_EXPIRED'],
    ['more than an hour ahead', (): string => signCustomerToken({ sub: 'c', exp: NOW + 3600 + 61 }, SECRET), 'TOKEN_INVALID'],
    ['no exp', (): string => signCustomerToken({ sub: 'c' }, SECRET), 'TOKEN_INVALID'],
    ['no sub', (): string => signCustomerToken({ exp: NOW + 60 }, SECRET), 'TOKEN_INVALID'],
    ['numeric sub', (): string => signCustomerToken({ sub: 42, exp: NOW + 60 }, SECRET), 'TOKEN_INVALID'],
    ['bad email', (): string => signCustomerToken({ sub: 'c', exp: NOW + 60, email: 'nope' }, SECRET), 'TOKEN_INVALID'],
    ['alg none', (): string => `${b64({ alg: 'none' })}.${b64({ sub: 'c', exp: NOW + 60 })}.`, 'TOKEN_INVALID'],
    ['alg HS512', (): string => `${b64({ alg: 'HS512' })}.${b64({ sub: 'c', exp: NOW + 60 })}.${createHmac('sha256', SECRET).update('x').digest('base64url')}`, 'TOKEN_INVALID'],
    ['two parts', (): string => `${b64({ alg: 'HS256' })}.${b64({ sub: 'c', exp: NOW + 60 })}`, 'TOKEN_INVALID'],
    ['garbage', (): string => 'not a token', 'TOKEN_INVALID'],
  ] as const)('refuses %s', (_name, make, code) => {
    const r = verifyCustomerToken(make(), SECRET, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('tolerates a minute of clock difference on expiry', () => {
    expect(verifyCustomerToken(signCustomerToken({ sub: 'c', exp: NOW - 30 }, SECRET), SECRET, NOW).ok).toBe(true);
    expect(verifyCustomerToken(signCustomerToken({ sub: 'c', exp: NOW + 3600 }, SECRET), SECRET, NOW).ok).toBe(true);
  });

  it('refuses a payload changed after signing', () => {
    const [h, , s] = signCustomerToken({ sub: 'c', exp: NOW + 60 }, SECRET).split('.');
    expect(verifyCustomerToken(`${h}.${b64({ sub: 'admin', exp: NOW + 60 })}.${s}`, SECRET, NOW).ok).toBe(false);
  });
});

describe('Shopify App Proxy signatures', () => {
  // shopify.dev "Authenticate app proxies": shared secret "hush".
  const signed = 'extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb';

  it('builds the documented message: sorted key=value pairs, repeated values joined by commas, no separators', () => {
    expect(appProxyMessage(signed)).toBe('extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555');
  });

  it('verifies the documented example and refuses any change', () => {
    expect(verifyAppProxySignature(signed, 'hush')).toBe(true);
    expect(verifyAppProxySignature(signed, 'hush!')).toBe(false);
    expect(verifyAppProxySignature(signed.replace('timestamp=1317327555', 'timestamp=1317327556'), 'hush')).toBe(false);
    expect(verifyAppProxySignature(signed.replace('logged_in_customer_id=1', 'logged_in_customer_id=2'), 'hush')).toBe(false);
    expect(verifyAppProxySignature(signed.replace(/&signature=.*/, ''), 'hush')).toBe(false);
    expect(verifyAppProxySignature(signed.replace(/signature=[0-9a-f]+/, 'signature=zz'), 'hush')).toBe(false);
  });

  it('verifies a visitor (empty logged_in_customer_id)', () => {
    const visitor = 'extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb';
    expect(verifyAppProxySignature(visitor, 'hush')).toBe(true);
  });
});
