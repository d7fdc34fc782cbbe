import { Badge, Card, Group, Progress, SimpleGrid, Text, Tooltip } from '@mantine/core';
import type { Customer } from '../../api/models.js';
import { useFormat } from '../../lib/format.js';

function Label({ children }: { children: string }) {
  return (
    <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
      {children}
    </Text>
  );
}

function Big({ children, testId }: { children: string; testId?: string }) {
  return (
    <Text size="1.7rem" fw={700} className="patron-tabular" lh={1.3} data-testid={testId}>
      {children}
    </Text>
  );
}

function TierCard({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const tier = customer.tier;
  if (!tier) {
    return (
      <Card padding="md">
        <Label>Tier</Label>
        <Big>No tier</Big>
        <Text size="xs" c="dimmed">
          Not in a tier yet
        </Text>
      </Card>
    );
  }
  const progress = Number(tier.progress) || 0;
  const missing = tier.next ? Number(tier.next.missing) || 0 : 0;
  const pct = tier.next ? Math.min(100, Math.round((progress / Math.max(progress + missing, 1)) * 100)) : 100;
  return (
    <Card padding="md">
      <Group justify="space-between" wrap="nowrap" gap={4}>
        <Label>Tier</Label>
        {tier.manual && (
          <Tooltip label="Assigned by staff; acts as a floor until released">
            <Badge color="grape" size="sm">
              Manually assigned
            </Badge>
          </Tooltip>
        )}
      </Group>
      <Big testId="tier-name">{tier.name}</Big>
      <Progress value={pct} size="sm" mt={4} aria-label={tier.next ? `Progress to ${tier.next.name}: ${pct}%` : 'Top tier reached'} />
      <Text size="xs" c="dimmed" mt={4}>
        {tier.next ? (tier.next.explanation ? fmt.text(tier.next.explanation) : `${fmt.number(missing)} more for ${tier.next.name}`) : 'Highest tier reached'}
      </Text>
      {tier.achievedAt && (
        <Text size="xs" c="dimmed">
          Since {fmt.date(tier.achievedAt)}
        </Text>
      )}
      {tier.reason ? (
        <Text size="xs" c="dimmed" mt={4} data-testid="tier-reason">
          {fmt.text(tier.reason)}
        </Text>
      ) : null}
      {tier.downgradePending ? (
        <Text size="xs" c="orange.9" fw={500} mt={4} data-testid="tier-downgrade">
          {tier.downgradePending.to ? `Moves to ${tier.downgradePending.to.name}` : `Leaves ${tier.name}`} on {fmt.date(tier.downgradePending.at)}: {fmt.text(tier.downgradePending.reason)}
        </Text>
      ) : null}
    </Card>
  );
}

export function SummaryCards({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const b = customer.balances;
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="md" mb="lg">
      <Card padding="md">
        <Label>Active points</Label>
        <Big testId="active-points">{fmt.number(b.active)}</Big>
        <Text size="xs" c="dimmed">
          {customer.membershipType === 'left' ? 'Frozen until reinstated as a member' : customer.membershipType === 'guest' ? 'Guests cannot redeem' : 'Spendable now'} · {fmt.number(b.earned)} earned in
          total
        </Text>
      </Card>
      <Card padding="md">
        <Label>Pending points</Label>
        <Big testId="pending-points">{fmt.number(b.pending)}</Big>
        <Text size="xs" c="dimmed">
          Become active after the return window
        </Text>
      </Card>
      <TierCard customer={customer} />
      <Card padding="md">
        <Label>Lifetime value</Label>
        <Big>{fmt.money(customer.orders.lifetimeValue)}</Big>
        <Text size="xs" c="dimmed">
          {fmt.number(customer.orders.count)} {customer.orders.count === 1 ? 'order' : 'orders'}
        </Text>
      </Card>
    </SimpleGrid>
  );
}
