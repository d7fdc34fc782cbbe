import type { AppContext } from '../../context.js';

/**
 * What a member's pass shows, computed once for every platform (Apple, Google) from the
 * customer, the program and the organization. Its hash is kept on the pass row: a change
 * that leaves it equal sends nothing.
 */
export interface PassContent {
  orgId: string;
  customerId: string;
  serialNumber: string;
  cardCode: string;
  organizationName: string;
  memberName: string;
  /** Spendable points, an integer. */
  balance: number;
  tierName: string | null;
  /** Names of rewards the balance can pay for now. */
  rewardsAvailable: string[];
  terms: string;
  /** The customer's pass web app (/c/{token}); absolute when PATRON_PUBLIC_URL is set. */
  webAppUrl: string;
  backgroundColor: string;
  foregroundColor: string;
}

/** Which of the customer's notification preferences a change falls under. */
export type PassChangeKind = 'balance' | 'tier' | 'rewardAvailable';

export interface PassChange {
  previous: PassContent | null;
  current: PassContent;
  /** What changed between them, and whether the customer wants to be told about each. */
  kinds: PassChangeKind[];
  notify: Record<PassChangeKind, boolean>;
}

export interface PlatformDelivery {
  platform: 'apple' | 'google';
  /** Apple: devices an update was pushed to; Google: 1 when the object took the message. */
  delivered: number;
  failed: number;
  /** Why nothing (or not everything) was delivered, in a sentence staff can read. */
  reason?: string;
}

/**
 * A wallet platform. The wallet feature calls every configured platform when what a pass
 * shows changes, and when staff or a campaign send a message.
 */
export interface PassPlatform {
  name: 'apple' | 'google';
  /** Whether the organization configured this platform. */
  configured(ctx: AppContext, orgId: string): Promise<boolean>;
  /** What the pass shows changed: update it where the customer keeps it. */
  passChanged(ctx: AppContext, change: PassChange): Promise<PlatformDelivery>;
  /** A message from staff or a campaign, shown by the pass (Apple: change message; Google: object message). */
  sendMessage(ctx: AppContext, content: PassContent, message: string): Promise<PlatformDelivery>;
  /** For the profile: Apple devices holding the pass, or whether the Google pass is saved. */
  status(ctx: AppContext, orgId: string, customerId: string): Promise<{ devices?: number; saved?: boolean }>;
}
