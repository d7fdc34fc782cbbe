import { Card, Group, SimpleGrid, Skeleton, Text, ThemeIcon } from '@mantine/core';
import { useAnalytics } from '../../api/customers.js';
import { Icon, type IconName } from '../../components/icons.js';
import { useFormat } from '../../lib/format.js';

function Stat({ label, value, hint, icon, loading }: { label: string; value: string; hint: string; icon: IconName; loading: boolean }) {
  return (
    <Card padding="md">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {label}
          </Text>
          {loading ? (
            <Skeleton h={30} w={90} mt={6} />
          ) : (
            <Text size="1.6rem" fw={700} className="patron-tabular" lh={1.4}>
              {value}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {value === '—' && !loading ? 'Not available yet' : hint}
          </Text>
        </div>
        <ThemeIcon variant="light" size="lg" radius="md">
          <Icon name={icon} />
        </ThemeIcon>
      </Group>
    </Card>
  );
}

/** Total, active this month, average customer value, retention (excluded customers are not counted). */
export function AnalyticsCards({ ready }: { ready: boolean }) {
  const q = useAnalytics(ready);
  const fmt = useFormat();
  const d = q.data;
  const unavailable = '—';
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="md" mb="lg">
      <Stat label="Total customers" icon="users" loading={q.isPending} value={d ? fmt.number(d.totalCustomers) : unavailable} hint="In the loyalty program" />
      <Stat label="Active this month" icon="bolt" loading={q.isPending} value={d ? fmt.number(d.activeThisMonth) : unavailable} hint="Ordered or earned since the 1st" />
      <Stat label="Avg. customer value" icon="cart" loading={q.isPending} value={d?.averageCustomerValue ? fmt.money(d.averageCustomerValue) : unavailable} hint="Lifetime value per customer" />
      <Stat label="Retention rate" icon="refresh" loading={q.isPending} value={d?.retention ? fmt.percent(Number(d.retention.rate) / 100) : unavailable} hint="Ordered again within 12 months" />
    </SimpleGrid>
  );
}
