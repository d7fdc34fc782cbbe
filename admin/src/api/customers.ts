import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, request, unwrap } from './client.js';
import type { Analytics, Customer, CustomerGridRow, CustomerRow, Job, MembershipType, Segment, SegmentFilter } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });

/** The grid filters, exactly as the URL and GET /api/v1/customers name them. */
export interface GridFilters {
  search?: string;
  membership?: string;
  tier?: string;
  activity?: string;
  accountState?: string;
  segment?: string;
  marketingSync?: string;
  sort?: string;
}

export const customerKeys = {
  all: ['customers'] as const,
  list: (f: GridFilters) => ['customers', 'list', f] as const,
  analytics: ['customers', 'analytics'] as const,
  one: (id: string) => ['customer', id] as const,
  segments: ['segments'] as const,
};

/** Grid row -> what the table shows. */
export function toRow(r: CustomerGridRow): CustomerRow {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    membershipType: r.membershipType,
    accountState: r.accountState,
    points: r.points,
    tier: r.tier ? { id: r.tier.id, name: r.tier.name ?? '' } : null,
    tierProgress: String(r.tierProgress),
    birthday: r.birthday,
    tierUpdatedAt: r.tierUpdatedAt,
    updatedAt: r.lastActivityAt ?? r.updatedAt,
    anonymized: false,
    excludedFromReports: r.excludedFromReports,
  };
}

const list = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : undefined);

/** URL filters (comma lists) -> the API's filter object used by bulk actions and segments. */
export function toFilterObject(f: GridFilters): SegmentFilter {
  const out: SegmentFilter = {};
  if (f.search) out.search = f.search;
  const membership = list(f.membership) as SegmentFilter['membership'];
  if (membership?.length) out.membership = membership;
  const tier = list(f.tier);
  if (tier?.length) out.tier = tier;
  if (f.activity === 'active' || f.activity === 'inactive') out.activity = f.activity;
  if (f.accountState === 'registered' || f.accountState === 'guest') out.accountState = f.accountState;
  if (f.marketingSync === 'failed') out.marketingSync = 'failed';
  return out;
}

/** A segment's filter -> URL filters. */
export function fromFilterObject(filter: SegmentFilter): GridFilters {
  return {
    search: filter.search,
    membership: filter.membership?.join(','),
    tier: filter.tier?.join(','),
    activity: filter.activity,
    accountState: filter.accountState,
    marketingSync: filter.marketingSync,
  };
}


export function useCustomerList(filters: GridFilters, pageSize = 50) {
  return useInfiniteQuery({
    queryKey: customerKeys.list(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const { sort, ...rest } = filters;
      const query: Record<string, string | number> = { limit: pageSize };
      for (const [k, v] of Object.entries({ ...rest, sort, cursor: pageParam })) if (v) query[k] = v;
      const page = await unwrap(api.GET('/api/v1/customers', { params: { query }, signal }));
      // `filterKey` names the filters this page answers, so a count shown while the next filter loads is never taken for the new one.
      return { items: page.items.map(toRow), nextCursor: page.nextCursor, total: page.total ?? null, filterKey: JSON.stringify(rest) };
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAnalytics(enabled = true) {
  return useQuery({
    enabled,
    queryKey: customerKeys.analytics,
    queryFn: ({ signal }): Promise<Analytics> => unwrap(api.GET('/api/v1/analytics/customers', { signal })),
    staleTime: 60_000,
  });
}

/** How many customers match the filters (the grid's total), optionally narrowed to those excluded from reports. */
export function useMatchCount(filters: GridFilters, opts: { excluded?: boolean; enabled?: boolean } = {}) {
  const { sort: _sort, ...rest } = filters;
  return useQuery({
    enabled: opts.enabled ?? true,
    queryKey: ['customers', 'count', rest, opts.excluded ?? null] as const,
    queryFn: async ({ signal }) => {
      const query: Record<string, string | number> = { limit: 1 };
      for (const [k, v] of Object.entries(rest)) if (v) query[k] = v;
      if (opts.excluded !== undefined) query.excluded = String(opts.excluded);
      const page = await unwrap(api.GET('/api/v1/customers', { params: { query }, signal }));
      return page.total ?? { value: page.items.length, exact: true };
    },
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
  filter?: SegmentFilter;
}

/** Small selections finish in the reply; large ones run as a job ({ status: 'queued', jobId }). */
export interface BulkReply {
  status: 'queued' | 'done';
  jobId: string | null;
  total: number;
  changed: number;
  refused: number;
  outcomes?: { customerId: string; status: 'ok' | 'refused'; code: string | null; message: string | null }[];
}

export function bulkMembership(target: BulkTarget, type: MembershipType, key: string): Promise<BulkReply> {
  return request<BulkReply>('POST', '/api/v1/customers/membership/bulk', { body: { ...target, type }, idempotencyKey: key });
}

export async function bulkAdjust(target: BulkTarget, adjustment: { direction: 'add' | 'deduct'; points: number; reason: string }, key: string): Promise<BulkReply> {
  const r = await unwrap(api.POST('/api/v1/customers/points/bulk', { body: { ...target, ...adjustment }, headers: idem(key) }));
  const total = r.job.progress?.total;
  return { status: 'queued', jobId: r.jobId, total: typeof total === 'number' ? total : 0, changed: 0, refused: 0 };
}

export function fetchJob(id: string, signal?: AbortSignal): Promise<Job> {
  return unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } }, signal }));
}

export function useSegments(enabled = true) {
  return useQuery({
    enabled,
    queryKey: customerKeys.segments,
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/segments', { signal }))).items,
    staleTime: 60_000,
  });
}

export function saveSegment(input: { name: string; filter: SegmentFilter }, key: string): Promise<Segment> {
  return unwrap(api.POST('/api/v1/segments', { body: input, headers: idem(key) }));
}

export function deleteSegment(id: string, key: string): Promise<unknown> {
  return unwrap(api.DELETE('/api/v1/segments/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function displayName(c: Pick<Customer, 'firstName' | 'lastName' | 'email'> & { name?: string }): string {
  const full = c.name || [c.firstName, c.lastName].filter(Boolean).join(' ');
  return full || c.email || 'Unnamed customer';
}
