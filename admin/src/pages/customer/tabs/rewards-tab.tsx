import { Badge, Button, Card, Group, Skeleton, Table, Text, Tooltip } from '@mantine/core';
import type { Coupon, CouponStatus, Customer } from '../../../api/models.js';
import { useCoupons } from '../../../api/profile.js';
import { Can } from '../../../components/require-permission.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { useFormat } from '../../../lib/format.js';
import { useOpenDialog } from '../customer-dialogs.js';

const STATUS_COLOR: Record<CouponStatus, string> = { active: 'green', used: 'blue', revoked: 'gray', expired: 'orange' };

function value(c: Coupon, fmt: ReturnType<typeof useFormat>): string {
  if (c.value) return fmt.money(c.value);
  if (c.percentOff) return `${c.percentOff}% off`;
  if (c.reward.type === 'free_shipping') return 'Free shipping';
  if (c.reward.type === 'free_product') return 'Free product';
  return '—';
}

export function RewardsTab({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const coupons = useCoupons(customer.id);
  const open = useOpenDialog();
  const header = (
    <Group justify="space-between" p="md" pb={0}>
      <Text fw={600}>Coupon history</Text>
      <Can permission="rewards:issue">
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={() => open({ kind: 'redeem' })}>
            Redeem reward
          </Button>
          <Button size="xs" variant="default" onClick={() => open({ kind: 'give' })}>
            Give reward
          </Button>
        </Group>
      </Can>
    </Group>
  );
  if (coupons.isError) return <ErrorAlert error={coupons.error} onRetry={() => void coupons.refetch()} />;
  return (
    <Card p={0}>
      {header}
      {coupons.isSuccess && coupons.data.length === 0 ? (
        <EmptyState icon="ticket" title="No coupons yet">
          Coupons appear when the customer redeems points or staff give a reward.
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm" aria-label="Coupons">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Code</Table.Th>
                <Table.Th>Reward</Table.Th>
                <Table.Th ta="right">Value</Table.Th>
                <Table.Th ta="right">Points</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {coupons.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Skeleton h={28} />
                  </Table.Td>
                </Table.Tr>
              )}
              {coupons.data?.map((c) => (
                <Table.Tr key={c.id} data-testid="coupon-row">
                  <Table.Td>
                    <Text ff="monospace" fw={600} size="sm">
                      {c.code}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.reward.name}</Text>
                  </Table.Td>
                  <Table.Td ta="right">{value(c, fmt)}</Table.Td>
                  <Table.Td ta="right" className="patron-tabular">
                    {fmt.number(c.pointsCost)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{fmt.dateTime(c.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={c.usedOrder ? `Used on order #${c.usedOrder.externalId}` : c.revokeReason ? `Revoked: ${c.revokeReason}` : c.expiresAt ? `Valid until ${fmt.date(c.expiresAt)}` : 'No expiry'}>
                      <Badge color={STATUS_COLOR[c.status]}>{c.status}</Badge>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td ta="right">
                    {c.status === 'active' && (
                      <Can permission="rewards:issue">
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => open({ kind: 'revoke', coupon: c })} aria-label={`Revoke coupon ${c.code}`}>
                          Revoke
                        </Button>
                      </Can>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
