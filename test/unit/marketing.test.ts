import { describe, expect, it } from 'vitest';
import { consentOf, e164 } from '../../src/modules/marketing/klaviyo.js';
import { cleanMessage } from '../../src/modules/marketing/marketing.http.js';
import { retryDelayMs } from '../../src/modules/marketing/marketing.sync.js';
import { customProperties, emailConsentOf } from '../../src/modules/marketing/omnisend.js';

describe('marketing mapping', () => {
  it('sends Klaviyo only E.164 phone numbers', () => {
    expect(e164('+44 20 7946 0958')).toBe('+442079460958');
    expect(e164('+1 (555) 123-4567')).toBe('+15551234567');
    expect(e164('555 123 4567')).toBeNull();
    expect(e164(null)).toBeNull();
  });

  it("reads Klaviyo's email marketing consent", () => {
    const profile = (consent: string) => ({ attributes: { subscriptions: { email: { marketing: { consent } } } } });
    expect(consentOf(profile('SUBSCRIBED'))).toBe('subscribed');
    expect(consentOf(profile('UNSUBSCRIBED'))).toBe('unsubscribed');
    expect(consentOf(profile('NEVER_SUBSCRIBED'))).toBe('never_subscribed');
    expect(consentOf(profile('SOMETHING_NEW'))).toBeNull();
    expect(consentOf({ attributes: {} })).toBeNull();
  });

  it("reads Omnisend's email channel status of the contact's email identifier", () => {
    const contact = {
      identifiers: [
        { type: 'phone', id: '+15551234567', channels: { sms: { status: 'subscribed' } } },
        { type: 'email', id: 'Ada@Example.com', channels: { email: { status: 'nonSubscribed' } } },
      ],
    };
    expect(emailConsentOf(contact, 'ada@example.com')).toBe('never_subscribed');
    expect(emailConsentOf({ identifiers: [] }, 'ada@example.com')).toBeNull();
  });

  it('never sends null as an Omnisend custom property, and keeps numbers exact', () => {
    expect(
      customProperties({
        patron_points_balance: 1200,
        patron_points_pending: 0,
        patron_tier: null,
        patron_tier_progress: null,
        patron_membership: 'member',
        patron_referral_link: null,
        patron_points_expiring: 35,
        patron_points_expiring_at: '2026-04-01T00:00:00.000Z',
        patron_last_reward_code: 'GOLD-7KXM',
      }),
    ).toEqual({
      patron_points_balance: 1200,
      patron_points_pending: 0,
      patron_tier: '',
      patron_tier_progress: '',
      patron_membership: 'member',
      patron_referral_link: '',
      patron_points_expiring: 35,
      patron_points_expiring_at: '2026-04-01T00:00:00.000Z',
      patron_last_reward_code: 'GOLD-7KXM',
    });
  });

  it('stores tool errors without email addresses, on one line, at most 300 characters', () => {
    expect(cleanMessage('Klaviyo answered HTTP 400: profile ada.lovelace+x@example.co.uk\nis invalid')).toBe('Klaviyo answered HTTP 400: profile [email] is invalid');
    expect(cleanMessage('x'.repeat(500))).toHaveLength(300);
  });

  it('retries after 2, 4, 8 ... seconds, at most 30 minutes apart', () => {
    expect([1, 2, 3].map(retryDelayMs)).toEqual([2000, 4000, 8000]);
    expect(retryDelayMs(30)).toBe(30 * 60_000);
  });
});
