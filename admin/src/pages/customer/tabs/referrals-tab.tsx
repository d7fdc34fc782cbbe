import { Anchor, Badge, Button, Card, Center, Code, CopyButton, Group, SimpleGrid, Skeleton, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { api, isApiError, unwrap } from '../../../api/client.js';
import { customerScope, referralAction, setFriendDiscountCode, useReferral } from '../../../api/profile.js';
import { Breakable } from '../../../components/breakable.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { Icon } from '../../../components/icons.js';
import { useFormat, type Formatter } from '../../../lib/format.js';
import { useSession } from '../../../lib/session.js';
import { useAction } from '../../../lib/use-action.js';
import { OrderLink } from '../order-link.js';

function offerText(offer: { type: string; value: string }, fmt: Formatter): string {
  if (offer.type === 'percentage') return `${offer.value}% off`;
  if (offer.type === 'free_shipping') return 'free shipping';
  return `${fmt.amount(offer.value)} off`;
}

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

/** The friends this customer referred, newest first (paged). */
function ReferredFriends({ customerId }: { customerId: string }) {
  const fmt = useFormat();
  const list = useInfiniteQuery({
    queryKey: ['customer', customerId, 'referred-friends'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => unwrap(api.GET('/api/v1/customers/{id}/referrals', { params: { path: { id: customerId }, query: { limit: 25, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card p={0}>
      <Text fw={600} p="md" pb={0}>
        Friends referred
      </Text>
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      {list.isPending && <Skeleton h={60} m="md" />}
      {list.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed" p="md">
          Nobody has joined through this customer's link yet.
        </Text>
      )}
      {items.length > 0 && (
        <Table verticalSpacing="sm" aria-label="Friends referred" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Friend</Table.Th>
              <Table.Th w={120}>Status</Table.Th>
              <Table.Th w="22%">First order</Table.Th>
              <Table.Th w="22%">Joined</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id} data-testid="referred-friend">
                <Table.Td>
                  <Anchor component={Link} to={`/customers/${r.friend.id}`} size="sm">
                    {r.friend.name ?? r.friend.email ?? 'A customer'}
                  </Anchor>
                  {r.friend.name && r.friend.email && (
                    <Text size="xs" c="dimmed">
                      <Breakable text={r.friend.email} />
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={r.status === 'completed' ? 'green' : 'yellow'}>{r.status === 'completed' ? 'Completed' : 'Pending'}</Badge>
                  {r.rewardPoints > 0 && (
                    <Text size="xs" c="dimmed">
                      +{fmt.points(r.rewardPoints)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{r.order ? <OrderLink order={r.order} /> : 'Not yet'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{fmt.date(r.createdAt)}</Text>
                  {r.completedAt && (
                    <Text size="xs" c="dimmed">
                      completed {fmt.date(r.completedAt)}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.hasNextPage && (
        <Center p="sm">
          <Button variant="subtle" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Load more
          </Button>
        </Center>
      )}
    </Card>
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
        <Text size="xs" c="dimmed" mt={4} data-testid="referral-summary">
          Code {r.code}
          {r.referrerReward ? ` · the customer earns ${fmt.points(r.referrerReward.points)} per completed referral` : ''}
          {r.friendDiscount.offer ? ` · friends get ${offerText(r.friendDiscount.offer, fmt)}` : ''}
          {r.friendDiscount.code ? (
            <>
              {' with the code '}
              <Text span ff="monospace" fw={600} size="xs" c="var(--mantine-color-text)">
                {r.friendDiscount.code}
              </Text>
            </>
          ) : (
            ' · no discount code set for friends yet'
          )}
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
      <ReferredFriends customerId={customerId} />
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
