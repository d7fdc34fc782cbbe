import { ActionIcon, Badge, Button, Card, CopyButton, Group, Skeleton, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { Coupon, CouponStatus, Customer } from '../../../api/models.js';
import { profileKeys, useCoupons } from '../../../api/profile.js';
import { retryCouponInStore } from '../../../api/shopify.js';
import { Can } from '../../../components/require-permission.js';
import { Breakable } from '../../../components/breakable.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { Icon } from '../../../components/icons.js';
import { useFormat } from '../../../lib/format.js';
import { useAction } from '../../../lib/use-action.js';
import { useOpenDialog } from '../customer-dialogs.js';
import { OrderLink } from '../order-link.js';

const STATUS_COLOR: Record<CouponStatus, string> = { active: 'green', used: 'blue', revoked: 'gray', expired: 'orange' };
const STATUS_LABEL: Record<CouponStatus, string> = { active: 'Active', used: 'Used', revoked: 'Revoked', expired: 'Expired' };

function value(c: Coupon, fmt: ReturnType<typeof useFormat>): string {
  if (c.value) return fmt.money(c.value);
  if (c.percentOff) return `${c.percentOff}% off`;
  if (c.reward.type === 'free_shipping') return 'Free shipping';
  if (c.reward.type === 'free_product') return 'Free product';
  return '—';
}

const STORE_STATE: Record<NonNullable<Coupon['store']>['state'], { label: string; color: string }> = {
  pending: { label: 'Store: pending', color: 'blue' },
  live: { label: 'Store: live', color: 'green' },
  failed: { label: 'Store: failed', color: 'red' },
  deactivated: { label: 'Store: deactivated', color: 'gray' },
};

/** The coupon's discount code in the connected store, with a retry when the store refused it. */
function StoreState({ coupon }: { coupon: Coupon }) {
  const fmt = useFormat();
  const store = coupon.store!;
  const action = useAction({ run: (_: null, key) => retryCouponInStore(coupon.id, key), invalidate: [profileKeys.coupons(coupon.customerId)] });
  return (
    <Stack gap={2} data-testid="coupon-store">
      <Tooltip label={store.error ? fmt.text(store.error) : 'The code in the Shopify store'} multiline maw={320}>
        <Badge variant="light" color={STORE_STATE[store.state].color} data-testid="coupon-store-state">
          {STORE_STATE[store.state].label}
        </Badge>
      </Tooltip>
      {store.state === 'failed' && store.error && (
        <Text size="xs" c="red.8" data-testid="coupon-store-error">
          {fmt.text(store.error)}
        </Text>
      )}
      {(store.state === 'failed' || store.state === 'pending') && (
        <Can permission="rewards:issue">
          <Button size="compact-xs" variant="subtle" loading={action.pending} onClick={() => void action.submit(null)} aria-label={`Retry coupon ${coupon.code} in the store`}>
            Retry in store
          </Button>
        </Can>
      )}
      {action.error != null && (
        <Text size="xs" c="red.8">
          {action.error instanceof Error ? action.error.message : 'The retry failed'}
        </Text>
      )}
    </Stack>
  );
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
        <Table verticalSpacing="sm" aria-label="Coupons" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Coupon</Table.Th>
              <Table.Th w="24%">Value</Table.Th>
              <Table.Th w="30%">Dates</Table.Th>
              <Table.Th w={112}>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {coupons.isPending && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Skeleton h={28} />
                </Table.Td>
              </Table.Tr>
            )}
            {coupons.data?.map((c) => (
              <Table.Tr key={c.id} data-testid="coupon-row">
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Text ff="monospace" fw={600} size="sm" style={{ minWidth: 0 }} data-testid="coupon-code">
                      <Breakable text={c.code} />
                    </Text>
                    <CopyButton value={c.code}>
                      {({ copied, copy }) => (
                        <Tooltip label={copied ? 'Copied' : 'Copy code'}>
                          <ActionIcon variant="subtle" size="sm" onClick={copy} aria-label={`Copy coupon code ${c.code}`}>
                            <Icon name={copied ? 'check' : 'copy'} size={14} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </CopyButton>
                  </Group>
                  <Text size="xs" c="dimmed">
                    {c.reward.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{value(c, fmt)}</Text>
                  <Text size="xs" c="dimmed">
                    {c.pointsCost > 0 ? `for ${fmt.points(c.pointsCost)}` : c.issuedVia === 'gift' ? 'Gift, no points' : 'No points'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">Created {fmt.date(c.createdAt)}</Text>
                  <Text size="xs" c="dimmed" data-testid="coupon-detail">
                    {c.usedOrder ? (
                      <>
                        Used on order <OrderLink order={c.usedOrder} />
                        {c.usedAt ? ` · ${fmt.date(c.usedAt)}` : ''}
                      </>
                    ) : c.revokedAt ? (
                      `Ended ${fmt.date(c.revokedAt)}${c.revokeReason ? ` · reason: ${fmt.text(c.revokeReason)}` : ''}`
                    ) : c.status === 'expired' ? (
                      `Expired ${fmt.date(c.expiredAt ?? c.expiresAt)}`
                    ) : c.expiresAt ? (
                      `Valid until ${fmt.date(c.expiresAt)}`
                    ) : (
                      'No expiry'
                    )}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Badge color={STATUS_COLOR[c.status]}>{STATUS_LABEL[c.status]}</Badge>
                    {c.store && <StoreState coupon={c} />}
                    {c.status === 'active' && (
                      <Can permission="rewards:issue">
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => open({ kind: 'revoke', coupon: c })} aria-label={`Revoke coupon ${c.code}`}>
                          Revoke
                        </Button>
                      </Can>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
