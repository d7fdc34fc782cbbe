import { Badge, Button, Card, Center, Group, SimpleGrid, Skeleton, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Customer, LedgerEntry } from '../../../api/models.js';
import { customerScope, setEntryVisibility, useEntries } from '../../../api/profile.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { useFormat } from '../../../lib/format.js';
import { staffErrorMessage } from '../../../lib/staff-errors.js';
import { useSession } from '../../../lib/session.js';
import { useAction } from '../../../lib/use-action.js';
import { useOpenDialog } from '../customer-dialogs.js';

const ACTOR_TYPE: Record<string, string> = { system: 'Automatic', api_key: 'Store integration', user: 'Staff', customer: 'The customer' };

/** Who did it, in words: the person or key name, else what kind of actor it was. */
export function actorName(actor: { type: string; name: string | null }): string {
  return actor.name ?? ACTOR_TYPE[actor.type] ?? 'Automatic';
}

export const KIND_LABEL: Record<LedgerEntry['kind'], string> = {
  earn_order: 'Order',
  earn_rule: 'Earning rule',
  manual_add: 'Manual add',
  manual_deduct: 'Manual deduct',
  redeem: 'Redeemed',
  coupon_refund: 'Coupon revoked',
  order_reversal: 'Order refund',
  rule_reversal: 'Rule reversed',
  expiry: 'Expired',
  activation: 'Pending → active',
};

function Breakdown({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const b = customer.balances;
  const items: [string, number][] = [
    ['Active', b.active],
    ['Pending', b.pending],
    ['Earned', b.earned],
    ['Redeemed', b.redeemed],
    ['Net adjustments', b.adjusted],
    ['Expired', b.expired],
    ['Reversed', b.reversed],
  ];
  return (
    <Card mb="md" padding="md">
      <Text size="sm" fw={600} mb="xs">
        Balance breakdown
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} spacing="sm">
        {items.map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={600} className="patron-tabular">
              {fmt.number(value)}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}

function VisibilityToggle({ customerId, entry }: { customerId: string; entry: LedgerEntry }) {
  const { can } = useSession();
  const fmt = useFormat();
  const action = useAction({
    run: (visible: boolean, key) => setEntryVisibility(customerId, entry.id, visible, key),
    invalidate: [customerScope(customerId)],
    onSuccess: (e) => notifications.show({ message: e.visibleToCustomer ? 'The customer now sees this entry.' : 'This entry is now hidden from the customer.' }),
  });
  return (
    <Stack gap={2}>
      <Switch
        size="sm"
        aria-label={`Visible to customer: ${KIND_LABEL[entry.kind]} ${entry.points} points`}
        checked={entry.visibleToCustomer}
        disabled={!can('points:adjust') || action.pending}
        onChange={(e) => void action.submit(e.currentTarget.checked)}
      />
      {action.error ? (
        <Text size="xs" c="var(--patron-negative)" role="alert">
          {staffErrorMessage(action.error, fmt)}
        </Text>
      ) : null}
    </Stack>
  );
}

const REVERSES = /\s*\(reverses entry ([0-9a-f-]{36})\)/i;

/** Ids of custom action entries already removed: their reversal names them (and is newer, so loaded first). */
function removedEntryIds(items: LedgerEntry[]): Set<string> {
  const ids = items.filter((e) => e.kind === 'rule_reversal').map((e) => REVERSES.exec(e.explanation)?.[1]);
  return new Set(ids.filter((id): id is string => Boolean(id)));
}

/**
 * The ledger fits its container at every width (no horizontal scrolling): what happened, with
 * when and who under it; points with the balance after; the visibility switch always in view.
 */
export function PointsTab({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const entries = useEntries(customer.id);
  const { can } = useSession();
  const open = useOpenDialog();
  const items = entries.data?.pages.flatMap((p) => p.items) ?? [];
  const removed = removedEntryIds(items);
  return (
    <>
      <Breakdown customer={customer} />
      <Card p={0}>
        {entries.isError && <ErrorAlert error={entries.error} onRetry={() => void entries.refetch()} />}
        {entries.isSuccess && items.length === 0 ? (
          <EmptyState icon="coins" title="No points history yet">
            Entries appear when the customer earns from an order or a rule, redeems, or when staff adjust the balance.
          </EmptyState>
        ) : (
          <Table verticalSpacing="sm" aria-label="Points ledger" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>What happened and why</Table.Th>
                <Table.Th w={112} ta="right">
                  Points
                </Table.Th>
                <Table.Th w={84}>Visible</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr key={e.id} data-testid="ledger-row">
                  <Table.Td style={{ overflowWrap: 'break-word' }}>
                    <Stack gap={2}>
                      <Group gap={6}>
                        <Badge size="sm" color={e.points >= 0 ? 'green' : 'red'} variant="light">
                          {KIND_LABEL[e.kind]}
                        </Badge>
                        {e.pendingDelta !== 0 && (
                          <Badge size="sm" color="yellow">
                            Pending
                          </Badge>
                        )}
                        {e.countsTowardTier && (
                          <Tooltip label="Counts toward tier progress">
                            <Badge size="sm" color="violet" variant="outline">
                              Tier
                            </Badge>
                          </Tooltip>
                        )}
                        <Text size="sm" fw={500}>
                          {fmt.text(e.reason).replace(/\.$/, '')}
                        </Text>
                      </Group>
                      <Text size="xs" c="dimmed" data-testid="entry-explanation">
                        {fmt.text(e.explanation.replace(REVERSES, ''))}
                      </Text>
                      {e.customerMessage && (
                        <Text size="xs">
                          <Text span c="dimmed" size="xs">
                            Message to customer:{' '}
                          </Text>
                          {fmt.text(e.customerMessage)}
                        </Text>
                      )}
                      <Text size="xs" c="dimmed">
                        {fmt.dateTime(e.createdAt)} · {actorName(e.actor)}
                      </Text>
                      {e.source?.type === 'custom_action' && e.kind === 'earn_rule' && can('points:adjust') &&
                        (removed.has(e.id) ? (
                          <Text size="xs" c="dimmed">
                            Removed; its points were reversed.
                          </Text>
                        ) : (
                          <Button size="compact-xs" variant="subtle" color="red" w="fit-content" onClick={() => open({ kind: 'removeCustomAction', entry: e })}>
                            Remove custom action
                          </Button>
                        ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td ta="right" className="patron-tabular">
                    <Text size="sm" fw={600} c={e.points >= 0 ? 'var(--patron-positive)' : 'var(--patron-negative)'}>
                      {fmt.signedPoints(e.points)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      balance {fmt.number(e.balanceAfter)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <VisibilityToggle customerId={customer.id} entry={e} />
                  </Table.Td>
                </Table.Tr>
              ))}
              {(entries.isPending || entries.isFetchingNextPage) &&
                Array.from({ length: 4 }, (_, i) => (
                  <Table.Tr key={`s${i}`}>
                    <Table.Td colSpan={3}>
                      <Skeleton h={36} />
                    </Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        )}
        {entries.hasNextPage && (
          <Center p="sm">
            <Button variant="subtle" onClick={() => void entries.fetchNextPage()} loading={entries.isFetchingNextPage}>
              Load more
            </Button>
          </Center>
        )}
      </Card>
    </>
  );
}
