import { Button, Card, Center, Group, Text, Tooltip } from '@mantine/core';
import { useIntersection } from '@mantine/hooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { exportUrl, useCustomerList, useMatchCount } from '../../api/customers.js';
import { EmptyState, ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { Can } from '../../components/require-permission.js';
import { useFormat } from '../../lib/format.js';
import { AnalyticsCards } from './analytics-cards.js';
import { BulkActions } from './bulk-actions.js';
import { GridFiltersBar } from './grid-filters.js';
import { hasFilters, useGridFilters } from './grid-state.js';
import { GridTable, SelectionSummary } from './grid-table.js';

const GRID_COUNT_HELP = 'Every customer matching the search and filters, including customers excluded from reports (marked "Not in reports"). The cards above leave those out.';

export function CustomersPage() {
  const [filters, update, clear] = useGridFilters();
  const list = useCustomerList(filters);
  const fmt = useFormat();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const { ref: sentinel, entry } = useIntersection({ rootMargin: '400px' });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  useEffect(() => {
    if (entry?.isIntersecting && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [entry?.isIntersecting, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Bulk actions never reach customers nobody sees: a new filter or search starts a new selection...
  const { sort: _sort, ...filterOnly } = filters;
  const filterKey = JSON.stringify(filterOnly);
  useEffect(() => setSelected(new Set()), [filterKey]);
  // ...and customers who left the list (e.g. after a bulk change) leave the selection.
  useEffect(() => {
    if (!list.isSuccess || list.isFetching) return;
    const visible = new Set(rows.map((r) => r.id));
    setSelected((prev) => {
      const kept = [...prev].filter((id) => visible.has(id));
      return kept.length === prev.size ? prev : new Set(kept);
    });
  }, [rows, list.isSuccess, list.isFetching]);

  const onSelect = useCallback((ids: string[], on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      ids.forEach((id) => (on ? next.add(id) : next.delete(id)));
      return next;
    });
  }, []);

  const filtered = hasFilters(filters);
  const total = list.data?.pages[0]?.total;
  const count = total ? `${total.exact ? '' : 'About '}${fmt.number(total.value)}` : `${fmt.number(rows.length)}${hasNextPage ? '+' : ''}`;
  const one = total?.value === 1;
  const countLabel = `${count} ${one ? 'customer' : 'customers'}${filtered ? (one ? ' matches' : ' match') : ''}`;
  const emptyStore = list.isSuccess && rows.length === 0 && !filtered;
  const excluded = useMatchCount(filters, { excluded: true, enabled: list.isSuccess && rows.length > 0 });
  const excludedCount = excluded.data?.value ?? 0;
  const noMatch = list.isSuccess && rows.length === 0 && filtered;

  return (
    <>
      <PageHeader
        title="Customers"
        description="Find a customer, see what happened to their points, tier and rewards, and fix it."
        actions={
          <Can permission="data:export">
            <Button component="a" href={exportUrl(filters)} download variant="default" leftSection={<Icon name="download" size={16} />}>
              Export CSV
            </Button>
          </Can>
        }
      />
      {excludedCount > 0 && (
        <Can permission="data:export">
          <Text size="sm" c="dimmed" mt={-8} mb="sm" data-testid="export-excluded-note">
            The export leaves out {excluded.data?.exact ? '' : 'about '}
            {fmt.number(excludedCount)} {excludedCount === 1 ? 'customer' : 'customers'} excluded from reports that {excludedCount === 1 ? 'matches' : 'match'} this list.
          </Text>
        </Can>
      )}
      <AnalyticsCards ready={!list.isPending} />
      <GridFiltersBar filters={filters} update={update} clear={clear} ready={!list.isPending} />
      <Card p={0}>
        <Group justify="space-between" px="md" py="xs" mih={52} style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}>
          {selected.size > 0 ? (
            <SelectionSummary count={selected.size} />
          ) : (
            <Tooltip label={GRID_COUNT_HELP} multiline w={300} disabled={list.isPending}>
              <Text size="sm" c="dimmed" aria-live="polite" tabIndex={0} style={{ textDecoration: list.isPending ? undefined : 'underline dotted', textUnderlineOffset: 3 }}>
                {list.isPending ? 'Loading customers…' : countLabel}
              </Text>
            </Tooltip>
          )}
          {!emptyStore && <BulkActions selectedIds={[...selected]} filters={filters} matching={list.data?.pages[0]?.filterKey === filterKey ? (total ?? null) : null} onClear={() => setSelected(new Set())} />}
        </Group>
        {list.isError ? (
          <ErrorAlert error={list.error} title="Customers could not load" onRetry={() => void list.refetch()} />
        ) : emptyStore ? (
          <EmptyState
            icon="users"
            title="No customers yet"
            action={
              <Can permission="data:import">
                <Button component={Link} to="/imports" leftSection={<Icon name="upload" size={16} />}>
                  Import customers
                </Button>
              </Can>
            }
          >
            Customers appear here when your store sends orders or sign-ups through the API, or when you import them from a CSV file.
          </EmptyState>
        ) : noMatch ? (
          <EmptyState
            icon="search"
            title="No customers match"
            action={
              <Button variant="light" onClick={clear}>
                Clear filters
              </Button>
            }
          >
            Try part of the email, a different spelling, or fewer filters.
          </EmptyState>
        ) : (
          <div style={{ opacity: list.isPlaceholderData ? 0.55 : 1, transition: 'opacity 120ms' }}>
            <GridTable rows={rows} loading={list.isPending || isFetchingNextPage} sort={filters.sort} onSort={(sort) => update({ sort })} selected={selected} onSelect={onSelect} />
          </div>
        )}
        <div ref={sentinel} />
        {hasNextPage && !isFetchingNextPage && (
          <Center p="sm">
            <Button variant="subtle" onClick={() => void fetchNextPage()}>
              Load more customers
            </Button>
          </Center>
        )}
      </Card>
    </>
  );
}
