import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { components } from './generated/schema.js';

export type MarketingTool = 'klaviyo' | 'omnisend';
export type MarketingIntegration = components['schemas']['MarketingIntegration'];
export type CustomerMarketingSync = components['schemas']['CustomerMarketingSync'];

const idem = (key: string) => ({ 'idempotency-key': key });

export const integrationKey = (tool: MarketingTool) => ['integration', tool] as const;
export const customerSyncKey = (customerId: string) => ['customer', customerId, 'marketing-sync'] as const;

const PATHS = { klaviyo: '/api/v1/integrations/klaviyo', omnisend: '/api/v1/integrations/omnisend' } as const;

export function useIntegration(tool: MarketingTool) {
  return useQuery({
    queryKey: integrationKey(tool),
    queryFn: ({ signal }) => unwrap(api.GET(PATHS[tool], { signal })),
    // While the first sync runs, its progress moves: look again every few seconds.
    refetchInterval: (q) => (q.state.data?.firstSync && ['queued', 'running'].includes(q.state.data.firstSync.status) ? 3000 : false),
  });
}

export interface ConnectBody {
  apiKey?: string;
  enabled?: boolean;
  baseUrl?: string | null;
}

export function connectIntegration(tool: MarketingTool, body: ConnectBody, key: string): Promise<MarketingIntegration> {
  return unwrap(api.PUT(PATHS[tool], { body, headers: idem(key) }));
}

export function disconnectIntegration(tool: MarketingTool, key: string): Promise<MarketingIntegration> {
  return unwrap(api.DELETE(PATHS[tool], { headers: idem(key) }));
}

export function testIntegration(tool: MarketingTool, key: string) {
  return tool === 'klaviyo'
    ? unwrap(api.POST('/api/v1/integrations/klaviyo/test', { headers: idem(key) }))
    : unwrap(api.POST('/api/v1/integrations/omnisend/test', { headers: idem(key) }));
}

export function useCustomerMarketingSync(customerId: string) {
  return useQuery({
    queryKey: customerSyncKey(customerId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}/marketing-sync', { params: { path: { id: customerId } }, signal })),
    // A pending sync finishes within seconds: follow it until it settles.
    refetchInterval: (q) => (q.state.data?.tools.some((t) => t.state === 'pending') ? 1500 : 15_000),
  });
}

export function resyncCustomer(customerId: string, key: string): Promise<CustomerMarketingSync> {
  return unwrap(api.POST('/api/v1/customers/{id}/marketing-sync', { params: { path: { id: customerId } }, headers: idem(key) }));
}
