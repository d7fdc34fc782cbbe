/**
 * Every text the widget shows, in one table. A page translates the widget by defining
 * `window.PatronWidgetStrings` (any subset of these keys) before the script tag; the
 * organization's theme may replace the launcher text, the title and the sign-up button.
 * `{n}`, `{name}`, `{date}` are filled in.
 */
export const EN = {
  launcher: 'Rewards',
  title: 'Rewards',
  close: 'Close',
  loading: 'Loading…',
  error: 'Rewards are not available right now. Please try again later.',
  greeting: 'Hi {name}',
  greetingAnon: 'Welcome',
  balanceLabel: 'Your points',
  points: '{n} points',
  point: '{n} point',
  pendingNote: '{n} pending: usable once your order is confirmed',
  expiringNote: '{n} expire on {date}',
  tierHeading: 'Your tier',
  noTier: 'No tier yet',
  rewardsHeading: 'Rewards',
  redeem: 'Redeem',
  redeeming: 'Redeeming…',
  redeemFor: 'Redeem {reward} for {points}',
  yourCode: 'Your code for {reward}',
  copy: 'Copy',
  copied: 'Copied',
  codesHeading: 'Your codes',
  codeActive: 'Ready to use',
  codeUsed: 'Used',
  codeExpired: 'Expired',
  codeRevoked: 'Cancelled',
  validUntil: 'valid until {date}',
  historyHeading: 'History',
  noHistory: 'No points activity yet.',
  referHeading: 'Refer a friend',
  referText: 'Share your link: you get {points} when a friend places their first order.',
  referTextNoPoints: 'Share your link with friends.',
  friendGets: 'Your friend gets {offer}.',
  referStats: '{clicks} visits · {completed} friends ordered',
  referUnavailable: 'Your referral link is not available yet.',
  prefsHeading: 'Notifications',
  pref_balance: 'Points balance changes',
  pref_location: 'Offers near our stores',
  pref_marketing: 'Promotions and news',
  pref_tier: 'Tier changes',
  pref_rewardAvailable: 'When a reward becomes available',
  saved: 'Saved',
  joinHeading: 'Join our rewards program',
  joinCta: 'Create an account',
  waiting: '{n} are waiting for you when you register.',
  earnHeading: 'Ways to earn',
  tiersHeading: 'Tiers',
  costs: '{n} points',
  previewNote: 'Preview: nothing can be changed here.',
} as const;

export type StringKey = keyof typeof EN;
export type Strings = Record<StringKey, string>;

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (values[k] !== undefined ? String(values[k]) : `{${k}}`));
}
