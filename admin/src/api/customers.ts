import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, request, unwrap } from './client.js';
import type { Analytics, Customer, CustomerRow, JobStatus, MembershipType, Page, Segment } from './models.js';

/** The grid filters, exactly as the URL and GET /api/v1/customers name them. */
export interface GridFilters {
  search?: string;
  membership?: string;
  tier?: string;
  activity?: string;
  accountState?: string;
  segment?: string;
  sort?: string;
}

export const customerKeys = {
  all: ['customers'] as const,
  list: (f: GridFilters) => ['customers', 'list', f] as const,
  analytics: ['customers', 'analytics'] as const,
  one: (id: string) => ['customer', id] as const,
  segments: ['segments'] as const,
};

function scalar(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Accepts a full Customer or a slim grid row and returns what the grid shows. */
export function toRow(raw: Record<string, unknown>): CustomerRow {
  const tier = raw.tier as { id?: string; name?: string; progress?: unknown; updatedAt?: string | null } | null | undefined;
  const balances = raw.balances as { active?: number } | undefined;
  const first = str(raw.firstName);
  const last = str(raw.lastName);
  const name = str(raw.name) ?? ([first, last].filter(Boolean).join(' ') || '');
  return {
    id: String(raw.id),
    name,
    email: str(raw.email),
    membershipType: (raw.membershipType as MembershipType | undefined) ?? 'guest',
    accountState: raw.accountState === 'registered' ? 'registered' : 'guest',
    points: typeof raw.points === 'number' ? raw.points : (balances?.active ?? 0),
    tier: tier?.id ? { id: tier.id, name: tier.name ?? '' } : null,
    tierProgress: scalar(raw.tierProgress) ?? scalar(tier?.progress),
    birthday: str(raw.birthday),
    tierUpdatedAt: str(raw.tierUpdatedAt) ?? tier?.updatedAt ?? null,
    updatedAt: str(raw.updatedAt) ?? str(raw.lastActivityAt),
    anonymized: Boolean(raw.anonymizedAt),
  };
}

export function useCustomerList(filters: GridFilters, pageSize = 50) {
  return useInfiniteQuery({
    queryKey: customerKeys.list(filters),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) => {
      const page = await request<Page<Record<string, unknown>>>('GET', '/api/v1/customers', {
        query: { ...filters, limit: pageSize, cursor: pageParam },
        signal,
      });
      return { items: page.items.map(toRow), nextCursor: page.nextCursor };
    },
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useAnalytics() {
  return useQuery({
    queryKey: customerKeys.analytics,
    queryFn: ({ signal }) => request<Analytics>('GET', '/api/v1/analytics/customers', { signal }),
    staleTime: 60_000,
  });
}

export function exportUrl(filters: GridFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters) as [string, string | undefined][]) if (v && k !== 'sort') params.set(k, v);
  const q = params.toString();
  return `/api/v1/customers/export.csv${q ? `?${q}` : ''}`;
}

export function useCustomer(id: string) {
  return useQuery({
    queryKey: customerKeys.one(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers/{id}', { params: { path: { id } }, signal })),
  });
}

export interface BulkTarget {
  ids?: string[];
  filter?: GridFilters;
}

/** Bulk replies either finish at once ({ updated }) or start a job ({ job } / { jobId }). */
export interface BulkReply {
  updated?: number;
  skipped?: number;
  job?: JobStatus;
  jobId?: string;
}

export function bulkMembership(target: BulkTarget, type: MembershipType, key: string): Promise<BulkReply> {
  return request<BulkReply>('POST', '/api/v1/customers/membership/bulk', { body: { ...target, type }, idempotencyKey: key });
}

export function bulkAdjust(target: BulkTarget, adjustment: { direction: 'add' | 'deduct'; points: number; reason: string }, key: string): Promise<BulkReply> {
  return request<BulkReply>('POST', '/api/v1/customers/points/adjustments/bulk', { body: { ...target, ...adjustment }, idempotencyKey: key });
}

export function fetchJob(id: string, signal?: AbortSignal): Promise<JobStatus> {
  return request<JobStatus>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`, { signal });
}

export function useSegments() {
  return useQuery({
    queryKey: customerKeys.segments,
    queryFn: async ({ signal }) => (await request<Page<Segment>>('GET', '/api/v1/segments', { signal })).items,
    staleTime: 60_000,
    retry: false,
  });
}

export function saveSegment(input: { name: string; filter: GridFilters }, key: string): Promise<Segment> {
  return request<Segment>('POST', '/api/v1/segments', { body: input, idempotencyKey: key });
}

export function deleteSegment(id: string, key: string): Promise<void> {
  return request<void>('DELETE', `/api/v1/segments/${encodeURIComponent(id)}`, { idempotencyKey: key });
}

export function displayName(c: Pick<Customer, 'firstName' | 'lastName' | 'email'> & { name?: string }): string {
  const full = c.name || [c.firstName, c.lastName].filter(Boolean).join(' ');
  return full || c.email || 'Unnamed customer';
}
