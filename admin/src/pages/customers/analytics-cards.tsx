import { Card, Group, SimpleGrid, Skeleton, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { useAnalytics } from '../../api/customers.js';
import { Icon, type IconName } from '../../components/icons.js';
import { useFormat } from '../../lib/format.js';

function Stat({ label, value, hint, help, icon, loading }: { label: string; value: string; hint: string; help: string; icon: IconName; loading: boolean }) {
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
          <Tooltip label={help} multiline w={280}>
            <Text size="xs" c="dimmed" tabIndex={0} style={{ textDecoration: 'underline dotted', textUnderlineOffset: 3 }}>
              {value === '—' && !loading ? 'Not available yet' : hint}
            </Text>
          </Tooltip>
        </div>
        <ThemeIcon variant="light" size="lg" radius="md">
          <Icon name={icon} />
        </ThemeIcon>
      </Group>
    </Card>
  );
}

const EXCLUDED_MARK = ' (marked "Not in reports")';

/** Total, active this month, average customer value, retention (excluded customers are not counted). */
export function AnalyticsCards({ ready }: { ready: boolean }) {
  const q = useAnalytics(ready);
  const fmt = useFormat();
  const d = q.data;
  const unavailable = '—';
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="md" mb="lg">
      <Stat
        label="Total customers"
        icon="users"
        loading={q.isPending}
        value={d ? fmt.number(d.totalCustomers) : unavailable}
        hint="Not counting those excluded from reports"
        help={`Every customer of the organization except those excluded from reports. The count above the list includes them${EXCLUDED_MARK}.`}
      />
      <Stat
        label="Active this month"
        icon="bolt"
        loading={q.isPending}
        value={d ? fmt.number(d.activeThisMonth) : unavailable}
        hint="Ordered, redeemed or took an action since the 1st"
        help="Customers who did something themselves since the 1st of this month (organization time zone): placed an order (not cancelled), redeemed points, or completed a custom action. Changes made by staff, imports, bulk changes and scheduled rewards do not count."
      />
      <Stat label="Avg. customer value" icon="cart" loading={q.isPending} value={d?.averageCustomerValue ? fmt.money(d.averageCustomerValue) : unavailable} hint="Lifetime value per customer" help="Lifetime value of the customers with at least one order, divided by their number (excluded customers not counted)." />
      <Stat label="Retention rate" icon="refresh" loading={q.isPending} value={d?.retention ? fmt.percent(Number(d.retention.rate) / 100) : unavailable} hint="Ordered again within 12 months" help="Of the customers who ordered 12 to 24 months ago, the share who ordered again in the last 12 months (excluded customers not counted)." />
    </SimpleGrid>
  );
}
