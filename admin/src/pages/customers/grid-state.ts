import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { GridFilters } from '../../api/customers.js';

export const FILTER_KEYS = ['search', 'membership', 'tier', 'activity', 'accountState', 'marketingSync', 'segment', 'sort'] as const;

/** The grid's filters live in the URL, so a view can be bookmarked and shared. */
export function useGridFilters(): [GridFilters, (patch: Partial<GridFilters>) => void, () => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => {
    const f: GridFilters = {};
    for (const k of FILTER_KEYS) {
      const v = params.get(k);
      if (v) f[k] = v;
    }
    return f;
  }, [params]);
  const update = useCallback(
    (patch: Partial<GridFilters>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) {
            if (v) next.set(k, v);
            else next.delete(k);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  const clear = useCallback(() => setParams(new URLSearchParams(), { replace: true }), [setParams]);
  return [filters, update, clear];
}

/**
 * Whether the filters this render shows are the ones in the address bar. A filter change
 * writes the address at once and renders in a transition, so for a moment the page (and a
 * dialog opened in that moment) still holds the previous filters.
 */
export function filtersSettled(f: GridFilters): boolean {
  const params = new URLSearchParams(window.location.search);
  return FILTER_KEYS.every((k) => k === 'sort' || (params.get(k) || undefined) === (f[k] || undefined));
}

export function hasFilters(f: GridFilters): boolean {
  return FILTER_KEYS.some((k) => k !== 'sort' && Boolean(f[k]));
}

export const MEMBERSHIP_LABEL = { member: 'Member', guest: 'Guest', left: 'Left program' } as const;
export const MEMBERSHIP_COLOR = { member: 'green', guest: 'gray', left: 'orange' } as const;
