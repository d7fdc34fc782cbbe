import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { AdjustmentInput, AdjustmentResult, Coupon, CouponResult, Customer, EarningRule, LedgerEntry, MembershipType, ReferralLink, Reward, Tier, TierSettings } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });

export const profileKeys = {
  entries: (id: string) => ['customer', id, 'entries'] as const,
  orders: (id: string) => ['customer', id, 'orders'] as const,
  coupons: (id: string) => ['customer', id, 'coupons'] as const,
  referral: (id: string) => ['customer', id, 'referral'] as const,
  activity: (id: string, types: string[]) => ['customer', id, 'activity', types] as const,
  rewards: ['rewards'] as const,
  tiers: ['tiers'] as const,
  customActions: ['earning-rules', 'custom_action'] as const,
};

/** Everything cached about one customer (profile, ledger, timeline...). */
export const customerScope = (id: string) => ['customer', id] as const;

export function useEntries(id: string) {
  return useInfiniteQuery({
    queryKey: profileKeys.entries(id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/customers/{id}/points/entries', { params: { path: { id }, query: { limit: 25, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function adjustPoints(id: string, body: AdjustmentInput, key: string): Promise<AdjustmentResult> {
  return unwrap(api.POST('/api/v1/customers/{id}/points/adjustments', { params: { path: { id } }, body, headers: idem(key) }));
}

export function setEntryVisibility(id: string, entryId: string, visibleToCustomer: boolean, key: string): Promise<LedgerEntry> {
  return unwrap(api.PATCH('/api/v1/customers/{id}/points/entries/{entryId}', { params: { path: { id, entryId } }, body: { visibleToCustomer }, headers: idem(key) }));
}

export function useOrders(id: string) {
  return useInfiniteQuery({
    queryKey: profileKeys.orders(id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => unwrap(api.GET('/api/v1/customers/{id}/orders', { params: { path: { id }, query: { limit: 25, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useActivity(id: string, types: string[]) {
  return useInfiniteQuery({
    queryKey: profileKeys.activity(id, types),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/customers/{id}/activity', { params: { path: { id }, query: { limit: 20, cursor: pageParam, ...(types.length ? { types: types.join(',') } : {}) } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCoupons(id: string) {
  return useQuery({
    queryKey: profileKeys.coupons(id),
    queryFn: async ({ signal }): Promise<Coupon[]> => (await unwrap(api.GET('/api/v1/customers/{id}/coupons', { params: { path: { id }, query: { limit: 200 } }, signal }))).items,
  });
}

export function revokeCoupon(couponId: string, key: string): Promise<CouponResult> {
  return unwrap(api.POST('/api/v1/coupons/{id}/revoke', { params: { path: { id: couponId } }, body: {}, headers: idem(key) }));
}

export function redeemReward(id: string, body: { rewardId: string; points?: number }, key: string): Promise<CouponResult> {
  return unwrap(api.POST('/api/v1/customers/{id}/redemptions', { params: { path: { id } }, body, headers: idem(key) }));
}

export function giveReward(id: string, body: { rewardId: string; deductPoints: boolean }, key: string): Promise<CouponResult> {
  return unwrap(api.POST('/api/v1/customers/{id}/coupons', { params: { path: { id } }, body, headers: idem(key) }));
}

export function useRewards() {
  return useQuery({
    queryKey: profileKeys.rewards,
    queryFn: async ({ signal }): Promise<Reward[]> => (await unwrap(api.GET('/api/v1/rewards', { params: { query: { limit: 200 } }, signal }))).items,
    staleTime: 60_000,
  });
}

export function useTiers(enabled = true) {
  return useQuery({
    enabled,
    queryKey: profileKeys.tiers,
    queryFn: async ({ signal }): Promise<Tier[]> => (await unwrap(api.GET('/api/v1/tiers', { params: { query: { limit: 200 } }, signal }))).items,
    staleTime: 60_000,
  });
}

export function useTierSettings(enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...profileKeys.tiers, 'settings'],
    queryFn: ({ signal }): Promise<TierSettings> => unwrap(api.GET('/api/v1/tiers/settings', { signal })),
    staleTime: 60_000,
  });
}

export function setTier(id: string, body: { tierId: string; tierProgress?: string | number; reason?: string }, key: string): Promise<Customer> {
  return unwrap(api.PUT('/api/v1/customers/{id}/tier', { params: { path: { id } }, body, headers: idem(key) }));
}

export function releaseManualTier(id: string, key: string): Promise<Customer> {
  return unwrap(api.DELETE('/api/v1/customers/{id}/tier/manual', { params: { path: { id } }, headers: idem(key) }));
}

export function recalculateTier(id: string, key: string): Promise<Customer> {
  return unwrap(api.POST('/api/v1/customers/{id}/tier/recalculate', { params: { path: { id } }, headers: idem(key) }));
}

export function changeMembership(id: string, type: MembershipType, key: string): Promise<Customer> {
  return unwrap(api.POST('/api/v1/customers/{id}/membership', { params: { path: { id } }, body: { type }, headers: idem(key) }));
}

export function updateCustomer(id: string, body: { birthday?: string | null; anniversary?: string | null }, key: string): Promise<Customer> {
  return unwrap(api.PATCH('/api/v1/customers/{id}', { params: { path: { id } }, body, headers: idem(key) }));
}

export function saveNote(id: string, text: string, key: string): Promise<unknown> {
  return unwrap(api.PUT('/api/v1/customers/{id}/note', { params: { path: { id } }, body: { text }, headers: idem(key) }));
}

export function setReporting(id: string, excluded: boolean, key: string): Promise<Customer> {
  return unwrap(api.PUT('/api/v1/customers/{id}/reporting', { params: { path: { id } }, body: { excluded }, headers: idem(key) }));
}

export function anonymize(id: string, confirmEmail: string, key: string): Promise<Customer> {
  return unwrap(api.POST('/api/v1/customers/{id}/anonymize', { params: { path: { id } }, body: { confirmEmail }, headers: idem(key) }));
}

export function useCustomActions() {
  return useQuery({
    queryKey: profileKeys.customActions,
    queryFn: async ({ signal }): Promise<EarningRule[]> => {
      const page = await unwrap(api.GET('/api/v1/earning-rules', { params: { query: { limit: 200 } }, signal }));
      return page.items.filter((r) => r.kind === 'custom_action' && r.active);
    },
    staleTime: 60_000,
  });
}

export function triggerCustomAction(id: string, actionKey: string, key: string): Promise<unknown> {
  return unwrap(api.POST('/api/v1/customers/{id}/custom-actions', { params: { path: { id } }, body: { actionKey }, headers: idem(key) }));
}

export function removeCustomAction(id: string, entryId: string, key: string): Promise<unknown> {
  return unwrap(api.DELETE('/api/v1/customers/{id}/custom-actions/{entryId}', { params: { path: { id, entryId } }, headers: idem(key) }));
}

export function useReferral(id: string) {
  return useQuery({
    queryKey: profileKeys.referral(id),
    queryFn: ({ signal }): Promise<ReferralLink> => unwrap(api.GET('/api/v1/customers/{id}/referral', { params: { path: { id } }, signal })),
  });
}

export function referralAction(id: string, action: 'disable' | 'activate' | 'regenerate', key: string): Promise<ReferralLink> {
  const opts = { params: { path: { id } }, headers: idem(key) };
  if (action === 'disable') return unwrap(api.POST('/api/v1/customers/{id}/referral/disable', opts));
  if (action === 'activate') return unwrap(api.POST('/api/v1/customers/{id}/referral/activate', opts));
  return unwrap(api.POST('/api/v1/customers/{id}/referral/regenerate', opts));
}

export function setFriendDiscountCode(id: string, code: string | null, key: string): Promise<ReferralLink> {
  return unwrap(api.PUT('/api/v1/customers/{id}/referral/discount-code', { params: { path: { id } }, body: { code }, headers: idem(key) }));
}

/** The customer's data export (GDPR access request), downloaded by the browser. */
export function customerExportUrl(id: string): string {
  return `/api/v1/customers/${encodeURIComponent(id)}/export.json`;
}
