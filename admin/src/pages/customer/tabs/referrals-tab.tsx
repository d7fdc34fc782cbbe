import { Badge, Button, Card, Code, CopyButton, Group, SimpleGrid, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/client.js';
import { customerScope, referralAction, setFriendDiscountCode, useReferral } from '../../../api/profile.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { Icon } from '../../../components/icons.js';
import { useFormat } from '../../../lib/format.js';
import { useSession } from '../../../lib/session.js';
import { useAction } from '../../../lib/use-action.js';

function DiscountCodeForm({ customerId, current }: { customerId: string; current: string | null }) {
  const [code, setCode] = useState(current ?? '');
  const action = useAction({
    run: (c: string, key) => setFriendDiscountCode(customerId, c || null, key),
    invalidate: [customerScope(customerId)],
    onSuccess: () => notifications.show({ color: 'green', message: 'Friend discount code saved.' }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.submit(code.trim());
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="xs">
        <ErrorAlert error={action.error} />
        <Group align="flex-end" gap="xs">
          <TextInput label="Friend's discount code" description="The code a referred friend gets" value={code} onChange={(e) => setCode(e.currentTarget.value.toUpperCase())} maxLength={64} style={{ flex: 1 }} />
          <Button type="submit" variant="light" loading={action.pending} disabled={code.trim() === (current ?? '')}>
            Save code
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ReferralsTab({ customerId }: { customerId: string }) {
  const fmt = useFormat();
  const { can } = useSession();
  const referral = useReferral(customerId);
  const [confirm, setConfirm] = useState<'disable' | 'activate' | 'regenerate' | null>(null);
  const action = useAction({
    run: (a: 'disable' | 'activate' | 'regenerate', key) => referralAction(customerId, a, key),
    invalidate: [customerScope(customerId)],
    onSuccess: (_, a) => {
      notifications.show({ color: 'green', message: a === 'regenerate' ? 'New referral link created; the old one no longer starts referrals.' : a === 'disable' ? 'Referral link disabled.' : 'Referral link active again.' });
      setConfirm(null);
    },
  });
  if (referral.isPending) return <Skeleton h={220} />;
  if (referral.isError) {
    if (isApiError(referral.error) && referral.error.status === 404) {
      return (
        <Card>
          <EmptyState icon="link" title="No referral link">
            Members get a referral link when the referral program is on.
          </EmptyState>
        </Card>
      );
    }
    return <ErrorAlert error={referral.error} onRetry={() => void referral.refetch()} />;
  }
  const r = referral.data;
  const writes = can('customers:write');
  if (r.status === 'none' || !r.link) {
    return (
      <Card>
        <EmptyState icon="link" title="No referral link">
          {r.unavailableReason ?? 'Members get a referral link when the referral program is on.'}
        </EmptyState>
      </Card>
    );
  }
  const texts = {
    disable: ['Disable the referral link?', 'The link still lands on your store, but new visits through it no longer start a referral.', 'Disable link'],
    activate: ['Activate the referral link?', 'Visits through the link start referrals again.', 'Activate link'],
    regenerate: ['Create a new referral link?', 'The current link and code stop starting referrals; existing pending referrals are kept.', 'Create new link'],
  } as const;
  return (
    <Stack>
      <Card>
        <Group justify="space-between" mb="sm">
          <Group gap="xs">
            <Text fw={600}>Referral link</Text>
            <Badge color={r.status === 'active' ? 'green' : 'gray'}>{r.status === 'active' ? 'Active' : 'Disabled'}</Badge>
          </Group>
          {writes && (
            <Group gap="xs">
              <Button size="xs" variant="default" onClick={() => setConfirm(r.status === 'active' ? 'disable' : 'activate')}>
                {r.status === 'active' ? 'Disable' : 'Activate'}
              </Button>
              <Button size="xs" variant="default" leftSection={<Icon name="refresh" size={14} />} onClick={() => setConfirm('regenerate')}>
                Regenerate
              </Button>
            </Group>
          )}
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Code block style={{ flex: 1, overflowWrap: 'anywhere' }}>
            {r.link}
          </Code>
          <CopyButton value={r.link}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy} leftSection={<Icon name={copied ? 'check' : 'copy'} size={14} />}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="xs" c="dimmed" mt={4}>
          Code {r.code}
          {r.referrerReward ? ` · the customer earns ${fmt.points(r.referrerReward.points)} per completed referral` : ''}
          {r.friendDiscount.offer ? ` · friends get ${r.friendDiscount.offer.type === 'percentage' ? `${r.friendDiscount.offer.value}% off` : r.friendDiscount.offer.type === 'free_shipping' ? 'free shipping' : fmt.amount(r.friendDiscount.offer.value) + ' off'}` : ''}
        </Text>
      </Card>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Card padding="md">
          <Text size="xs" c="dimmed">
            Clicks
          </Text>
          <Text fw={700} size="xl">
            {fmt.number(r.stats.clicks)}
          </Text>
        </Card>
        <Card padding="md">
          <Text size="xs" c="dimmed">
            Pending
          </Text>
          <Text fw={700} size="xl">
            {fmt.number(r.stats.pending)}
          </Text>
        </Card>
        <Card padding="md">
          <Text size="xs" c="dimmed">
            Completed
          </Text>
          <Text fw={700} size="xl">
            {fmt.number(r.stats.completed)}
          </Text>
        </Card>
        <Card padding="md">
          <Text size="xs" c="dimmed">
            Conversion
          </Text>
          <Text fw={700} size="xl">
            {r.stats.conversionRate === null ? '—' : fmt.percent(Number(r.stats.conversionRate) / 100)}
          </Text>
        </Card>
      </SimpleGrid>
      {writes && (
        <Card>
          <DiscountCodeForm key={r.friendDiscount.code ?? ''} customerId={customerId} current={r.friendDiscount.code} />
        </Card>
      )}
      {confirm && (
        <ConfirmDialog title={texts[confirm][0]} confirmLabel={texts[confirm][2]} pending={action.pending} error={action.error} onConfirm={() => void action.submit(confirm)} onClose={() => setConfirm(null)}>
          {texts[confirm][1]}
        </ConfirmDialog>
      )}
    </Stack>
  );
}
