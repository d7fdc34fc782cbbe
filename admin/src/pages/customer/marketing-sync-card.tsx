import { Badge, Button, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { customerSyncKey, resyncCustomer, useCustomerMarketingSync, type CustomerMarketingSync } from '../../api/marketing.js';
import type { Customer } from '../../api/models.js';
import { ErrorAlert } from '../../components/feedback.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

type ToolStatus = CustomerMarketingSync['tools'][number];

const STATE: Record<ToolStatus['state'], { label: string; color: string }> = {
  synced: { label: 'Synced', color: 'green' },
  pending: { label: 'Pending', color: 'blue' },
  failed: { label: 'Failed', color: 'red' },
  skipped: { label: 'Skipped', color: 'gray' },
};

const CONSENT: Record<NonNullable<ToolStatus['consent']>, { label: string; color: string }> = {
  subscribed: { label: 'Subscribed', color: 'green' },
  unsubscribed: { label: 'Unsubscribed', color: 'orange' },
  never_subscribed: { label: 'Never subscribed', color: 'gray' },
};

function ToolRow({ t }: { t: ToolStatus }) {
  const fmt = useFormat();
  const state = STATE[t.state];
  return (
    <Stack gap={4} data-testid={`marketing-sync-${t.tool}`}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" fw={600}>
          {t.label}
          {!t.enabled && (
            <Text span size="xs" c="dimmed">
              {' '}
              (disabled)
            </Text>
          )}
        </Text>
        <Badge color={state.color} data-testid={`marketing-sync-${t.tool}-state`}>
          {state.label}
        </Badge>
      </Group>
      {t.reason && (
        <Text size="xs" c={t.state === 'failed' ? 'red.8' : 'dimmed'} data-testid={`marketing-sync-${t.tool}-reason`}>
          {fmt.text(t.reason)}
        </Text>
      )}
      <Group justify="space-between" gap="xs">
        <Text size="xs" c="dimmed">
          Last synced {t.lastSyncedAt ? fmt.relative(t.lastSyncedAt) : 'never'}
        </Text>
        <Group gap={4}>
          <Text size="xs" c="dimmed">
            Email consent
          </Text>
          {t.consent ? (
            <Badge size="sm" variant="light" color={CONSENT[t.consent].color}>
              {CONSENT[t.consent].label}
            </Badge>
          ) : (
            <Text size="xs">unknown</Text>
          )}
        </Group>
      </Group>
    </Stack>
  );
}

/** Whether the customer is in each connected marketing tool, and subscribed there (the usual reason a reward email never arrived). */
export function MarketingSyncCard({ customer }: { customer: Customer }) {
  const sync = useCustomerMarketingSync(customer.id);
  const { can } = useSession();
  const action = useAction({ run: (_: null, key) => resyncCustomer(customer.id, key), invalidate: [customerSyncKey(customer.id)] });
  if (sync.data && sync.data.tools.length === 0) return null;
  const canResync = can('customers:write') && !customer.anonymizedAt && (sync.data?.tools.some((t) => t.enabled) ?? false);
  return (
    <Card data-testid="marketing-sync-card">
      <Group justify="space-between" mb="sm" mih={28}>
        <Title order={2} size="h5">
          Marketing sync
        </Title>
        {canResync && (
          <Button size="compact-sm" variant="light" loading={action.pending} onClick={() => void action.submit(null)}>
            Resync now
          </Button>
        )}
      </Group>
      <Stack gap="sm">
        <ErrorAlert error={action.error} />
        {sync.isPending && <Skeleton h={48} />}
        {sync.isError && <ErrorAlert error={sync.error} onRetry={() => void sync.refetch()} />}
        {sync.data?.tools.map((t) => <ToolRow key={t.tool} t={t} />)}
      </Stack>
    </Card>
  );
}
