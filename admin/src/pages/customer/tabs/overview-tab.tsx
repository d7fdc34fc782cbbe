import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Customer } from '../../../api/models.js';
import { useTierSettings } from '../../../api/profile.js';
import { useFormat } from '../../../lib/format.js';
import { OrderLinkById } from '../order-link.js';
import { ActivityTab } from './activity-tab.js';

export function OverviewTab({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const t = customer.tier;
  const basis = useTierSettings().data?.basis;
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card>
          <Title order={2} size="h5" mb="sm">
            Tier details
          </Title>
          {t ? (
            <Stack gap={6}>
              <Group justify="space-between">
                <Text size="sm" c="dimmed">
                  Current tier
                </Text>
                <Text size="sm" fw={600}>
                  {t.name}
                  {t.manual ? ' (manually assigned)' : ''}
                </Text>
              </Group>
              <Group justify="space-between">
                <Text size="sm" c="dimmed">
                  Progress
                </Text>
                <Text size="sm">{fmt.tierProgress(t.progress, basis)}</Text>
              </Group>
              <Group justify="space-between">
                <Text size="sm" c="dimmed">
                  Achieved
                </Text>
                <Text size="sm">{fmt.dateTime(t.achievedAt)}</Text>
              </Group>
              <Group justify="space-between">
                <Text size="sm" c="dimmed">
                  Qualifying order
                </Text>
                <Text size="sm">{t.qualifyingOrderId ? <OrderLinkById id={t.qualifyingOrderId} /> : '—'}</Text>
              </Group>
              <Text size="sm" mt={4}>
                {t.next ? fmt.text(t.next.explanation) : 'The customer is in the highest tier.'}
              </Text>
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              Not in a tier yet.
            </Text>
          )}
        </Card>
        <Card>
          <Title order={2} size="h5" mb="sm">
            Points at a glance
          </Title>
          <Stack gap={6}>
            {(
              [
                ['Earned', customer.balances.earned],
                ['Redeemed', customer.balances.redeemed],
                ['Net adjustments', customer.balances.adjusted],
                ['Expired', customer.balances.expired],
              ] as const
            ).map(([label, v]) => (
              <Group key={label} justify="space-between">
                <Text size="sm" c="dimmed">
                  {label}
                </Text>
                <Text size="sm" className="patron-tabular">
                  {fmt.number(v)}
                </Text>
              </Group>
            ))}
          </Stack>
        </Card>
      </SimpleGrid>
      <ActivityTab customerId={customer.id} />
    </Stack>
  );
}
