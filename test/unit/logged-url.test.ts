import { describe, expect, it } from 'vitest';
import { loggedUrl } from '../../src/logger.js';

describe('request log URLs', () => {
  it('hide the pass token of card links, and nothing else', () => {
    expect(loggedUrl('/c/AbC_123-xyz')).toBe('/c/[token]');
    expect(loggedUrl('/c/AbC_123-xyz/apple.pkpass')).toBe('/c/[token]/apple.pkpass');
    expect(loggedUrl('/c/AbC_123-xyz/google?x=1')).toBe('/c/[token]/google?x=1');
    expect(loggedUrl('/api/v1/pass/AbC_123-xyz/preferences')).toBe('/api/v1/pass/[token]/preferences');
    expect(loggedUrl('/c/pass.js')).toBe('/c/pass.js');
    expect(loggedUrl('/api/v1/customers/abc?search=c')).toBe('/api/v1/customers/abc?search=c');
  });
});
