import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { components } from './generated/schema.js';

export type ShopifySettings = components['schemas']['ShopifySettings'];
export type ShopifyBackfill = components['schemas']['ShopifyBackfill'];
export type ShopifyCustomerCard = components['schemas']['ShopifyCustomerCard'];
export type ShopifyWebhook = components['schemas']['ShopifyWebhook'];

const idem = (key: string) => ({ 'idempotency-key': key });

export const shopifyKeys = {
  settings: ['integration', 'shopify'] as const,
  failed: ['integration', 'shopify', 'webhooks', 'failed'] as const,
  dataRequests: ['integration', 'shopify', 'data-requests'] as const,
  card: (customerId: string) => ['customer', customerId, 'shopify'] as const,
};

export function useShopifySettings() {
  return useQuery({
    queryKey: shopifyKeys.settings,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/integrations/shopify', { signal })),
    // While a backfill runs its counts move: look again every few seconds.
    refetchInterval: (q) => (q.state.data?.backfill && ['queued', 'running'].includes(q.state.data.backfill.status) ? 2000 : false),
  });
}

export function useFailedDeliveries(enabled: boolean) {
  return useQuery({
    queryKey: shopifyKeys.failed,
    enabled,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/integrations/shopify/webhooks', { params: { query: { status: 'failed', limit: 20 } }, signal })),
  });
}

export function useDataRequests(enabled: boolean) {
  return useQuery({
    queryKey: shopifyKeys.dataRequests,
    enabled,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/integrations/shopify/data-requests', { signal })),
  });
}

export function retryDelivery(id: string, key: string): Promise<ShopifyWebhook> {
  return unwrap(api.POST('/api/v1/integrations/shopify/webhooks/{id}/retry', { params: { path: { id } }, headers: idem(key) }));
}

export function startBackfill(body: { since?: string; awardPoints?: boolean }, key: string): Promise<ShopifyBackfill> {
  return unwrap(api.POST('/api/v1/integrations/shopify/backfills', { body, headers: idem(key) }));
}

export function disconnectShopify(key: string) {
  return unwrap(api.DELETE('/api/v1/integrations/shopify', { headers: idem(key) }));
}

export function useShopifyCard(customerId: string) {
  return useQuery({
    queryKey: shopifyKeys.card(customerId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}/shopify', { params: { path: { id: customerId } }, signal })),
  });
}

export function retryCouponInStore(couponId: string, key: string) {
  return unwrap(api.POST('/api/v1/coupons/{id}/store-sync', { params: { path: { id: couponId } }, headers: idem(key) }));
}
