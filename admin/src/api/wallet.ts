import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { components } from './generated/schema.js';

export type WalletSummary = components['schemas']['WalletSummary'];
export type WalletPush = components['schemas']['WalletPush'];
export type WalletCampaign = components['schemas']['WalletCampaign'];
export type WalletCardSent = components['schemas']['WalletCardSent'];

const idem = (key: string) => ({ 'idempotency-key': key });

/** A push's message: what the API accepts (Apple and Google show a short text). */
export const PUSH_MESSAGE_LIMIT = 300;

export const walletKeys = {
  summary: (id: string) => ['customer', id, 'wallet'] as const,
  pushes: (id: string) => ['customer', id, 'wallet', 'pushes'] as const,
  campaigns: ['wallet', 'campaigns'] as const,
};

export function useWalletSummary(customerId: string, opts: { following?: boolean } = {}) {
  return useQuery({
    queryKey: walletKeys.summary(customerId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}/wallet', { params: { path: { id: customerId } }, signal })),
    // A push is sent by the worker within seconds of being created: follow it while one is on its way.
    refetchInterval: opts.following ? 1500 : 30_000,
  });
}

export function useCustomerPushes(customerId: string) {
  return useQuery({
    queryKey: walletKeys.pushes(customerId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}/wallet/pushes', { params: { path: { id: customerId }, query: { limit: 5 } }, signal })),
    refetchInterval: (q) => (q.state.data?.items.some((p) => p.status === 'created') ? 1500 : false),
  });
}

export function sendLoyaltyCard(customerId: string, key: string): Promise<WalletCardSent> {
  return unwrap(api.POST('/api/v1/customers/{id}/wallet/send-card', { params: { path: { id: customerId } }, headers: idem(key) }));
}

export function sendPush(customerId: string, message: string, key: string): Promise<WalletPush> {
  return unwrap(api.POST('/api/v1/customers/{id}/wallet/pushes', { params: { path: { id: customerId } }, body: { message }, headers: idem(key) }));
}

export function useCampaigns() {
  return useInfiniteQuery({
    queryKey: walletKeys.campaigns,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => unwrap(api.GET('/api/v1/wallet/campaigns', { params: { query: { limit: 25, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Counts move while a campaign sends.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((c) => c.status === 'sending')) ? 2000 : 30_000),
  });
}

export interface CampaignInput {
  name: string;
  message: string;
  segmentId?: string | null;
  sendAt?: string;
}

export function createCampaign(body: CampaignInput, key: string): Promise<WalletCampaign> {
  return unwrap(api.POST('/api/v1/wallet/campaigns', { body, headers: idem(key) }));
}

export function cancelCampaign(id: string, key: string): Promise<WalletCampaign> {
  return unwrap(api.POST('/api/v1/wallet/campaigns/{id}/cancel', { params: { path: { id } }, headers: idem(key) }));
}
