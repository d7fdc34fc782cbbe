import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { components } from './generated/schema.js';

export type WebhookEndpoint = components['schemas']['WebhookEndpoint'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];

const idem = (key: string) => ({ 'idempotency-key': key });

export const webhookEndpointsKey = ['webhook-endpoints'] as const;
export const webhookDeliveriesKey = (id: string) => ['webhook-endpoints', id, 'deliveries'] as const;

export function useWebhookEndpoints() {
  return useQuery({
    queryKey: webhookEndpointsKey,
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/webhook-endpoints', { signal }))).items,
  });
}

export function useWebhookDeliveries(endpointId: string) {
  return useQuery({
    queryKey: webhookDeliveriesKey(endpointId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 50 } }, signal })),
    // Retries and first attempts land within seconds while something is pending.
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === 'pending') ? 3000 : 15_000),
  });
}

/** The event types of the catalog, read from the API document's webhooks section. */
export function useEventTypes() {
  return useQuery({
    queryKey: ['event-types'],
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const res = await fetch('/api/openapi.json', { signal, credentials: 'same-origin' });
      if (!res.ok) throw new Error(`The event list could not be loaded (HTTP ${res.status})`);
      const doc = (await res.json()) as { webhooks?: Record<string, { post?: { summary?: string } }> };
      return Object.entries(doc.webhooks ?? {}).map(([type, hook]) => ({ type, description: hook.post?.summary ?? '' }));
    },
  });
}

export interface EndpointBody {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
}

export function createEndpoint(body: EndpointBody & { url: string }, key: string) {
  return unwrap(api.POST('/api/v1/webhook-endpoints', { body, headers: idem(key) }));
}

export function updateEndpoint(id: string, body: EndpointBody, key: string) {
  return unwrap(api.PATCH('/api/v1/webhook-endpoints/{id}', { params: { path: { id } }, body, headers: idem(key) }));
}

export function deleteEndpoint(id: string, key: string) {
  return unwrap(api.DELETE('/api/v1/webhook-endpoints/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function rotateSecret(id: string, key: string) {
  return unwrap(api.POST('/api/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } }, headers: idem(key) }));
}

export function sendTestEvent(id: string, key: string) {
  return unwrap(api.POST('/api/v1/webhook-endpoints/{id}/test', { params: { path: { id } }, headers: idem(key) }));
}

export function redeliver(id: string, deliveryId: string, key: string) {
  return unwrap(api.POST('/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id, deliveryId } }, headers: idem(key) }));
}
