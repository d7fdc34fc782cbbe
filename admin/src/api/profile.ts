import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, request, unwrap } from './client.js';
import type { ActivityEvent, AdjustmentInput, AdjustmentResult, Coupon, CouponResult, Customer, LedgerEntry, MembershipType, Page, Referral, Reward, Tier } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });
const enc = encodeURIComponent;

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
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      request<Page<ActivityEvent>>('GET', `/api/v1/customers/${enc(id)}/activity`, { query: { types, cursor: pageParam, limit: 20 }, signal }),
    getNextPageParam: (last) => last.nextCursor,
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

export function useTiers() {
  return useQuery({
    queryKey: profileKeys.tiers,
    queryFn: async ({ signal }) => (await request<Page<Tier>>('GET', '/api/v1/tiers', { query: { limit: 200 }, signal })).items,
    staleTime: 60_000,
  });
}

export function setTier(id: string, body: { tierId: string; tierProgress?: string }, key: string): Promise<Customer> {
  return request('PUT', `/api/v1/customers/${enc(id)}/tier`, { body, idempotencyKey: key });
}

export function releaseManualTier(id: string, key: string): Promise<Customer> {
  return request('DELETE', `/api/v1/customers/${enc(id)}/tier/manual`, { idempotencyKey: key });
}

export function recalculateTier(id: string, key: string): Promise<Customer> {
  return request('POST', `/api/v1/customers/${enc(id)}/tier/recalculate`, { body: {}, idempotencyKey: key });
}

export function changeMembership(id: string, type: MembershipType, key: string): Promise<Customer> {
  return request('POST', `/api/v1/customers/${enc(id)}/membership`, { body: { type }, idempotencyKey: key });
}

export function updateCustomer(id: string, body: { birthday?: string | null; anniversary?: string | null }, key: string): Promise<Customer> {
  return request('PATCH', `/api/v1/customers/${enc(id)}`, { body, idempotencyKey: key });
}

export function saveNote(id: string, text: string, key: string): Promise<unknown> {
  return request('PUT', `/api/v1/customers/${enc(id)}/note`, { body: { text }, idempotencyKey: key });
}

export function setReporting(id: string, excluded: boolean, key: string): Promise<unknown> {
  return request('PUT', `/api/v1/customers/${enc(id)}/reporting`, { body: { excluded }, idempotencyKey: key });
}

export function anonymize(id: string, confirmEmail: string, key: string): Promise<unknown> {
  return request('POST', `/api/v1/customers/${enc(id)}/anonymize`, { body: { confirmEmail }, idempotencyKey: key });
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export interface CustomActionRule {
  id: string;
  name: string;
  actionKey: string;
  points?: number;
}

export function useCustomActions() {
  return useQuery({
    queryKey: profileKeys.customActions,
    queryFn: async ({ signal }) => {
      const page = await request<Page<Record<string, unknown>>>('GET', '/api/v1/earning-rules', { query: { type: 'custom_action', limit: 200 }, signal });
      return page.items
        .filter((r) => r.type === 'custom_action' || typeof r.actionKey === 'string')
        .map((r) => {
          const config = (r.config ?? {}) as Record<string, unknown>;
          const actionKey = text(r.actionKey) ?? text(config.actionKey) ?? '';
          return { id: text(r.id) ?? actionKey, name: text(r.name) ?? actionKey, actionKey, points: typeof r.points === 'number' ? r.points : undefined };
        });
    },
    staleTime: 60_000,
  });
}

export function triggerCustomAction(id: string, actionKey: string, key: string): Promise<unknown> {
  return request('POST', `/api/v1/customers/${enc(id)}/custom-actions`, { body: { actionKey }, idempotencyKey: key });
}

export function removeCustomAction(id: string, entryId: string, key: string): Promise<unknown> {
  return request('DELETE', `/api/v1/customers/${enc(id)}/custom-actions/${enc(entryId)}`, { idempotencyKey: key });
}

export function useReferral(id: string) {
  return useQuery({
    queryKey: profileKeys.referral(id),
    queryFn: ({ signal }) => request<Referral>('GET', `/api/v1/customers/${enc(id)}/referral`, { signal }),
  });
}

export function referralAction(id: string, action: 'disable' | 'activate' | 'regenerate', key: string): Promise<Referral> {
  return request('POST', `/api/v1/customers/${enc(id)}/referral/${action}`, { body: {}, idempotencyKey: key });
}

export function setFriendDiscountCode(id: string, code: string | null, key: string): Promise<Referral> {
  return request('PUT', `/api/v1/customers/${enc(id)}/referral/discount-code`, { body: { code }, idempotencyKey: key });
}

/** The customer's data export (GDPR access request), downloaded by the browser. */
export function customerExportUrl(id: string): string {
  return `/api/v1/customers/${enc(id)}/export`;
}
