import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { Customer, MembershipType } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });

/** What a manual tier change would do (direction, the entry reward it would credit). */
export function useTierChangePreview(customerId: string, tierId: string | null) {
  return useQuery({
    enabled: tierId !== null,
    queryKey: ['customer', customerId, 'tier-preview', tierId],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}/tier/preview', { params: { path: { id: customerId }, query: { tierId: tierId! } }, signal })),
  });
}

/** What a membership change would do (the welcome bonus it would credit). */
export function useMembershipPreview(customerId: string, type: MembershipType | null) {
  return useQuery({
    enabled: type !== null,
    queryKey: ['customer', customerId, 'membership-preview', type],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}/membership/preview', { params: { path: { id: customerId }, query: { type: type! } }, signal })),
  });
}

export function assignTier(id: string, body: { tierId: string; tierProgress?: string | number; grantEntryReward?: boolean }, key: string): Promise<Customer> {
  return unwrap(api.PUT('/api/v1/customers/{id}/tier', { params: { path: { id } }, body, headers: idem(key) }));
}

export function setTierProgress(id: string, body: { tierProgress: string | number }, key: string): Promise<Customer> {
  return unwrap(api.PUT('/api/v1/customers/{id}/tier/progress', { params: { path: { id } }, body, headers: idem(key) }));
}
