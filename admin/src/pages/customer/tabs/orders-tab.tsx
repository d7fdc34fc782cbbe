import { Badge, Button, Card, Center, Skeleton, Table, Text } from '@mantine/core';
import { useEffect } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Order } from '../../../api/models.js';
import { useOrders } from '../../../api/profile.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { useFormat } from '../../../lib/format.js';

const STATUS_COLOR: Record<Order['status'], string> = { pending: 'gray', paid: 'blue', fulfilled: 'green', cancelled: 'red' };
const STATUS_LABEL: Record<Order['status'], string> = { pending: 'Pending', paid: 'Paid', fulfilled: 'Fulfilled', cancelled: 'Cancelled' };

export function OrdersTab({ customerId }: { customerId: string }) {
  const fmt = useFormat();
  const orders = useOrders(customerId);
  const items = orders.data?.pages.flatMap((p) => p.items) ?? [];
  // An order opened from elsewhere on the page (?order=<id>) is highlighted and scrolled into view.
  const selected = useSearchParams()[0].get('order');
  const found = items.some((o) => o.id === selected);
  useEffect(() => {
    if (selected && found) document.getElementById(`order-${selected}`)?.scrollIntoView({ block: 'center' });
  }, [selected, found]);
  if (orders.isError) return <ErrorAlert error={orders.error} onRetry={() => void orders.refetch()} />;
  if (orders.isSuccess && items.length === 0) {
    return (
      <Card>
        <EmptyState icon="cart" title="No orders yet">
          Orders arrive from your store through the API; each earns points under the rules in force when it was paid.
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing="sm" aria-label="Orders">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Order</Table.Th>
              <Table.Th>Placed</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right">Total</Table.Th>
              <Table.Th ta="right">Refunded</Table.Th>
              <Table.Th ta="right">Points</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((o) => (
              <Table.Tr key={o.id} id={`order-${o.id}`} aria-current={o.id === selected ? 'true' : undefined} bg={o.id === selected ? 'var(--mantine-color-brand-light)' : undefined}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {o.number ?? fmt.orderNumber(o.externalId)}
                  </Text>
                  {o.discountCodes.length > 0 && (
                    <Text size="xs" c="dimmed">
                      Codes: {o.discountCodes.join(', ')}
                    </Text>
                  )}
                  {o.explanation && (
                    <Text size="xs" c="dimmed">
                      {fmt.text(o.explanation)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{fmt.dateTime(o.placedAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[o.status]}>{STATUS_LABEL[o.status]}</Badge>
                </Table.Td>
                <Table.Td ta="right" className="patron-tabular">
                  {fmt.money(o.total)}
                </Table.Td>
                <Table.Td ta="right" className="patron-tabular">
                  {Number(o.refunded.amount) > 0 ? fmt.money(o.refunded) : '—'}
                </Table.Td>
                <Table.Td ta="right" className="patron-tabular">
                  {fmt.signedPoints(o.pointsEarned)}
                  {o.pointsReversed !== 0 && (
                    <Text size="xs" c="var(--patron-negative)">
                      {fmt.signedPoints(-Math.abs(o.pointsReversed))} reversed
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            {(orders.isPending || orders.isFetchingNextPage) &&
              Array.from({ length: 3 }, (_, i) => (
                <Table.Tr key={`s${i}`}>
                  <Table.Td colSpan={6}>
                    <Skeleton h={28} />
                  </Table.Td>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {orders.hasNextPage && (
        <Center p="sm">
          <Button variant="subtle" onClick={() => void orders.fetchNextPage()}>
            Load more
          </Button>
        </Center>
      )}
    </Card>
  );
}
