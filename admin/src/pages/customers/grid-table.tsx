import { Badge, Checkbox, Group, Skeleton, Stack, Table, Text, Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useNavigate } from 'react-router-dom';
import type { CustomerRow } from '../../api/models.js';
import { Breakable } from '../../components/breakable.js';
import { Icon } from '../../components/icons.js';
import { useTierSettings, useTiers } from '../../api/profile.js';
import { useFormat } from '../../lib/format.js';
import { MEMBERSHIP_COLOR, MEMBERSHIP_LABEL } from './grid-state.js';

interface Column {
  key: string;
  label: string;
  sortable: boolean;
  numeric?: boolean;
  width?: number;
  /** Shown from 1200 px wide windows only: narrower, the table keeps every sort button in reach without scrolling sideways. */
  wideOnly?: boolean;
}

/**
 * Sized so the whole table (every sort button included) fits the content area of a
 * 1280 px wide window next to the navigation (about 985 px): name and email share a column,
 * dates may wrap onto two lines. Below 1200 px (tablets) birthday and tier-updated are left out
 * (both are on the customer page), so the rest fits an 820 px window.
 */
export const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', sortable: true },
  { key: 'membership', label: 'Membership', sortable: false, width: 118 },
  { key: 'points', label: 'Points', sortable: true, numeric: true, width: 88 },
  { key: 'tier', label: 'Tier', sortable: false, width: 100 },
  { key: 'tierProgress', label: 'Tier progress', sortable: true, numeric: true, width: 118 },
  { key: 'birthday', label: 'Birthday', sortable: false, width: 104, wideOnly: true },
  { key: 'tierUpdatedAt', label: 'Tier updated', sortable: false, width: 104, wideOnly: true },
  { key: 'lastActivity', label: 'Last updated', sortable: true, width: 124 },
];

/** Narrower than this the table scrolls sideways inside its card, never the page: with every column, and below 1200 px without the wide-only ones. */
export const TABLE_MIN_WIDTH = 960;
export const NARROW_TABLE_MIN_WIDTH = 740;

export const EXCLUDED_HELP = 'Excluded from reports: counted in this list, but not in the cards above, and left out of exports unless included.';

function SortHeader({ col, sort, onSort }: { col: Column; sort: string | undefined; onSort: (s: string) => void }) {
  if (!col.sortable) return <Table.Th w={col.width} style={{ whiteSpace: 'nowrap' }}>{col.label}</Table.Th>;
  const active = sort === col.key || sort === `-${col.key}`;
  const desc = sort === `-${col.key}`;
  const next = !active ? (col.numeric || col.key === 'lastActivity' ? `-${col.key}` : col.key) : desc ? col.key : `-${col.key}`;
  return (
    <Table.Th w={col.width} ta={col.numeric ? 'right' : undefined} aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton onClick={() => onSort(next)} fw={600} fz="sm" style={{ display: 'inline-flex', alignItems: 'center', gap: 4, whiteSpace: 'nowrap' }}>
        {col.label}
        <Icon name={active ? (desc ? 'chevronDown' : 'chevronUp') : 'selector'} size={14} opacity={active ? 1 : 0.4} />
        <VisuallyHidden>{active ? (desc ? ', sorted descending' : ', sorted ascending') : ', sort'}</VisuallyHidden>
      </UnstyledButton>
    </Table.Th>
  );
}

export interface GridTableProps {
  rows: CustomerRow[];
  loading: boolean;
  sort: string | undefined;
  onSort: (s: string) => void;
  selected: Set<string>;
  onSelect: (ids: string[], on: boolean) => void;
}

export function GridTable({ rows, loading, sort, onSort, selected, onSelect }: GridTableProps) {
  const fmt = useFormat();
  const navigate = useNavigate();
  const tiers = useTiers(!loading || rows.length > 0);
  const settings = useTierSettings(!loading || rows.length > 0);
  const basis = settings.data?.basis;
  const tierName = (t: { id: string; name: string }) => t.name || tiers.data?.find((x) => x.id === t.id)?.name || 'Tier';
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const someSelected = rows.some((r) => selected.has(r.id));
  const open = (id: string) => void navigate(`/customers/${id}`);
  const wide = useMediaQuery('(min-width: 75em)', true) ?? true;
  const columns = COLUMNS.filter((c) => wide || !c.wideOnly);
  return (
    <Table.ScrollContainer minWidth={wide ? TABLE_MIN_WIDTH : NARROW_TABLE_MIN_WIDTH}>
      <Table verticalSpacing={10} highlightOnHover stickyHeader aria-label="Customers" aria-busy={loading}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox aria-label="Select all loaded customers" checked={allSelected} indeterminate={someSelected && !allSelected} onChange={(e) => onSelect(rows.map((r) => r.id), e.currentTarget.checked)} />
            </Table.Th>
            {columns.map((c) => (
              <SortHeader key={c.key} col={c} sort={sort} onSort={onSort} />
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.id} className="patron-row-link" onClick={() => open(r.id)} bg={selected.has(r.id) ? 'var(--mantine-color-brand-0)' : undefined}>
              <Table.Td onClick={(e) => e.stopPropagation()}>
                <Checkbox aria-label={`Select ${r.name || r.email || 'customer'}`} checked={selected.has(r.id)} onChange={(e) => onSelect([r.id], e.currentTarget.checked)} />
              </Table.Td>
              <Table.Td style={{ minWidth: 0 }}>
                <Stack gap={0}>
                  <Group gap={6} wrap="nowrap">
                    <Text component={Link} to={`/customers/${r.id}`} size="sm" fw={600} c="brand.8" onClick={(e) => e.stopPropagation()} style={{ textDecoration: 'none', overflowWrap: 'break-word' }}>
                      {r.name || (r.anonymized ? 'Anonymous' : 'Unnamed customer')}
                    </Text>
                    {r.excludedFromReports && (
                      <Tooltip label={EXCLUDED_HELP} multiline w={260}>
                        <Badge size="xs" color="gray" variant="outline" style={{ flexShrink: 0 }} styles={{ label: { overflow: 'visible' } }}>
                          Not in reports
                        </Badge>
                      </Tooltip>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {r.email ? <Breakable text={r.email} /> : 'No email'}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td>
                <Badge color={MEMBERSHIP_COLOR[r.membershipType]} styles={{ label: { overflow: 'visible' } }}>
                  {MEMBERSHIP_LABEL[r.membershipType]}
                </Badge>
              </Table.Td>
              <Table.Td className="patron-tabular" ta="right">
                {fmt.number(r.points)}
              </Table.Td>
              <Table.Td>{r.tier ? <Badge color="violet" variant="outline" style={{ overflow: "visible" }} styles={{ label: { overflow: "visible" } }}>{tierName(r.tier)}</Badge> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
              <Table.Td className="patron-tabular" ta="right">
                {basis || settings.isError ? fmt.tierProgress(r.tierProgress, basis) : <Skeleton h={14} w={56} ml="auto" />}
              </Table.Td>
              {wide && (
                <Table.Td>
                  <Text size="sm">{fmt.calendarDate(r.birthday)}</Text>
                </Table.Td>
              )}
              {wide && (
                <Table.Td>
                  <Text size="sm">{fmt.date(r.tierUpdatedAt)}</Text>
                </Table.Td>
              )}
              <Table.Td>
                <Text size="sm">{fmt.dateTime(r.updatedAt)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
          {loading &&
            Array.from({ length: rows.length ? 3 : 10 }, (_, i) => (
              <Table.Tr key={`s${i}`}>
                <Table.Td colSpan={columns.length + 1}>
                  <Skeleton h={22} />
                </Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function SelectionSummary({ count }: { count: number }) {
  return (
    <Group gap={6}>
      <Icon name="check" size={16} />
      <Text size="sm" fw={600}>
        {count} selected
      </Text>
    </Group>
  );
}
