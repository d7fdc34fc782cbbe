import { Badge, Button, Card, Center, Group, SimpleGrid, Skeleton, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Customer, LedgerEntry } from '../../../api/models.js';
import { errorMessage } from '../../../api/errors.js';
import { customerScope, setEntryVisibility, useEntries } from '../../../api/profile.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { useFormat } from '../../../lib/format.js';
import { useSession } from '../../../lib/session.js';
import { useAction } from '../../../lib/use-action.js';
import { useOpenDialog } from '../customer-dialogs.js';

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
          {errorMessage(action.error)}
        </Text>
      ) : null}
    </Stack>
  );
}

export function PointsTab({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const entries = useEntries(customer.id);
  const { can } = useSession();
  const open = useOpenDialog();
  const items = entries.data?.pages.flatMap((p) => p.items) ?? [];
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
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing="sm" aria-label="Points ledger">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={150}>Date</Table.Th>
                  <Table.Th>What happened and why</Table.Th>
                  <Table.Th w={90} ta="right">
                    Points
                  </Table.Th>
                  <Table.Th w={90} ta="right">
                    Balance
                  </Table.Th>
                  <Table.Th w={90}>Visible</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((e) => (
                  <Table.Tr key={e.id} data-testid="ledger-row">
                    <Table.Td>
                      <Text size="sm">{fmt.dateTime(e.createdAt)}</Text>
                      <Text size="xs" c="dimmed">
                        {e.actor.name ?? e.actor.type}
                      </Text>
                    </Table.Td>
                    <Table.Td>
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
                            {e.reason}
                          </Text>
                        </Group>
                        <Text size="xs" c="dimmed" data-testid="entry-explanation">
                          {e.explanation}
                        </Text>
                        {e.customerMessage && (
                          <Text size="xs">
                            <Text span c="dimmed" size="xs">
                              Message to customer:{' '}
                            </Text>
                            {e.customerMessage}
                          </Text>
                        )}
                        {e.source?.type === 'custom_action' && e.points > 0 && can('points:adjust') && (
                          <Button size="compact-xs" variant="subtle" color="red" w="fit-content" onClick={() => open({ kind: 'removeCustomAction', entry: e })}>
                            Remove custom action
                          </Button>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td ta="right" className="patron-tabular" c={e.points >= 0 ? 'var(--patron-positive)' : 'var(--patron-negative)'} fw={600}>
                      {fmt.signedPoints(e.points)}
                    </Table.Td>
                    <Table.Td ta="right" className="patron-tabular">
                      {fmt.number(e.balanceAfter)}
                    </Table.Td>
                    <Table.Td>
                      <VisibilityToggle customerId={customer.id} entry={e} />
                    </Table.Td>
                  </Table.Tr>
                ))}
                {(entries.isPending || entries.isFetchingNextPage) &&
                  Array.from({ length: 4 }, (_, i) => (
                    <Table.Tr key={`s${i}`}>
                      <Table.Td colSpan={5}>
                        <Skeleton h={36} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
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
